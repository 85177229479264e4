namespace Pluggable.Abstractions;

/// <summary>
/// Makes a tamper-proof object from an executable. Export an implementation with
/// <see cref="ExportSealingProviderAttribute"/>; the host constructs it only when a chain needs it.
/// </summary>
public interface ISealingProvider
{
    /// <summary>Says cheaply whether this provider can work on this host, and if not, why.</summary>
    ProviderProbe Probe();

    /// <summary>
    /// Seals the source of <paramref name="request"/>. Throws <see cref="SealingException"/> when it cannot;
    /// the host verifies whatever is returned and refuses a result that does not keep the promised guarantee.
    /// </summary>
    SealedExecutable Seal(SealRequest request, CancellationToken cancellationToken);
}
