using Pluggable.Abstractions;
using Pluggable.Linux;
using Pluggable.Runtime.Sealing;

namespace Pluggable.Host.Output;

/// <summary>From runtime results to the documented output shapes.</summary>
internal static class Reports
{
    public static AttemptReport ToReport(SealAttempt attempt) =>
        new(attempt.Provider, attempt.Ok, attempt.Error, attempt.Microseconds);

    public static SealReport ToReport(SealOutcome outcome, SourceExecutable source) => new(
        source.Path,
        outcome.Mode,
        outcome.Provider,
        outcome.Executable.Guarantee.ToName(),
        source.Size,
        outcome.Verified.Sha256,
        (int?)outcome.Verified.Seals,
        outcome.Verified.ReadOnlyMount,
        outcome.Attempts.Select(ToReport).ToList(),
        outcome.Microseconds,
        outcome.AlreadySealed);

    public static string Describe(FileSeals? seals) => seals switch
    {
        null => "none (not a memfd)",
        FileSeals.None => "0x0 (none)",
        { } value => $"0x{(int)value:x} ({string.Join('|', Enum.GetValues<FileSeals>().Where(bit => IsSingleBit(bit) && value.HasFlag(bit)).Select(SealName))})",
    };

    private static bool IsSingleBit(FileSeals seal) => seal != FileSeals.None && ((int)seal & ((int)seal - 1)) == 0;

    private static string SealName(FileSeals seal) => seal switch
    {
        FileSeals.FutureWrite => "FUTURE_WRITE",
        _ => seal.ToString().ToUpperInvariant(),
    };
}
