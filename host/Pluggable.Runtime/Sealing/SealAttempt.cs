using Pluggable.Abstractions;
using Pluggable.Linux;

namespace Pluggable.Runtime.Sealing;

/// <summary>One provider's try at sealing: whether it worked, why not, and how long it took.</summary>
public sealed record SealAttempt(string Provider, bool Ok, string? Error, long Microseconds);

/// <summary>A sealed object that passed verification, and how it was made.</summary>
public sealed class SealOutcome(
    SealedExecutable executable,
    string mode,
    IReadOnlyList<SealAttempt> attempts,
    VerifiedProperties verified,
    long microseconds) : IDisposable
{
    /// <summary>The sealed object; disposing the outcome closes it.</summary>
    public SealedExecutable Executable { get; } = executable;

    /// <summary>The annotation value that chose the chain, exactly as given; empty when absent.</summary>
    public string Mode { get; } = mode;

    /// <summary>The name of the provider that produced the object, as the catalog knows it.</summary>
    public string Provider => Attempts.Count > 0 ? Attempts[^1].Provider : Executable.Provider;

    /// <summary>Whether the source already was a sealed memfd and was used as it is, without any provider.</summary>
    public bool AlreadySealed => Attempts.Count == 0;

    /// <summary>Every provider tried, in order, ending with the one that succeeded.</summary>
    public IReadOnlyList<SealAttempt> Attempts { get; } = attempts;

    /// <summary>What verification saw on the sealed object.</summary>
    public VerifiedProperties Verified { get; } = verified;

    /// <summary>How long the whole chain took.</summary>
    public long Microseconds { get; } = microseconds;

    /// <inheritdoc/>
    public void Dispose() => Executable.Dispose();
}

/// <summary>What verification measured on a sealed object.</summary>
/// <param name="Seals">The memfd's seals, or null when it is not a memfd.</param>
/// <param name="ReadOnlyMount">Whether the object sits on a read-only mount.</param>
/// <param name="Sha256">The SHA-256 of the sealed bytes when content verification is on, else null.</param>
public sealed record VerifiedProperties(FileSeals? Seals, bool ReadOnlyMount, string? Sha256);

/// <summary>Every provider of the chain failed; nothing was sealed.</summary>
public sealed class SealingFailedException(string message, IReadOnlyList<SealAttempt> attempts)
    : ExesealException(message, ExitCodes.SealingFailed)
{
    /// <summary>Every provider tried, with its error.</summary>
    public IReadOnlyList<SealAttempt> Attempts { get; } = attempts;
}
