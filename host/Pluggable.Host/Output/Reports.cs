using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pluggable.Host.Output;

/// <summary><c>exeseal providers --format json</c>.</summary>
public sealed record ProvidersReport(IReadOnlyList<ProviderReport> Providers, IReadOnlyList<PluginErrorReport> Errors, IReadOnlyList<string> SettingsWarnings);

/// <summary>One discovered provider.</summary>
public sealed record ProviderReport(
    string Name, string Guarantee, bool Experimental, bool Available, string? Reason, string Plugin, string Version, string Description);

/// <summary>A plugin that was skipped.</summary>
public sealed record PluginErrorReport(string Plugin, string Message);

/// <summary><c>exeseal seal FILE --format json</c>.</summary>
public sealed record SealReport(
    string Source,
    string Mode,
    string Provider,
    string Guarantee,
    long Size,
    string? Sha256,
    int? Seals,
    bool ReadOnlyMount,
    IReadOnlyList<AttemptReport> Attempts,
    long Microseconds,
    bool AlreadySealed);

/// <summary>One provider's attempt.</summary>
public sealed record AttemptReport(string Provider, bool Ok, string? Error, long Microseconds);

/// <summary><c>exeseal modes --format json</c>.</summary>
public sealed record ModesReport(string? Config, bool AllowExperimental, ModeReport DefaultChain, IReadOnlyList<ModeReport> Modes);

/// <summary>One annotation value (empty for the default chain) and its chain.</summary>
public sealed record ModeReport(string Value, IReadOnlyList<string> Providers, string Source, bool Allowed, string? Reason);

/// <summary><c>exeseal verify --format json</c>.</summary>
public sealed record VerifyReport(int? Pid, string Exe, string Kind, int? Seals, bool Protected);

/// <summary><c>exeseal bench --format json</c>: the file measured and each provider's results.</summary>
public sealed record BenchReport(string File, long Size, IReadOnlyList<Pluggable.Runtime.Benchmarking.ProviderBenchResult> Results);

/// <summary>Any failed command with <c>--format json</c>.</summary>
public sealed record ErrorReport(string Error, int ExitCode, IReadOnlyList<AttemptReport>? Attempts);

/// <summary>The JSON shapes of exeseal's output, generated at compile time.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ProvidersReport))]
[JsonSerializable(typeof(SealReport))]
[JsonSerializable(typeof(ErrorReport))]
[JsonSerializable(typeof(ModesReport))]
[JsonSerializable(typeof(VerifyReport))]
[JsonSerializable(typeof(BenchReport))]
public sealed partial class ReportJson : JsonSerializerContext
{
    /// <summary>The shapes with quotes and non-ASCII text written as they are: the output is read by people too.</summary>
    public static ReportJson Output { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
