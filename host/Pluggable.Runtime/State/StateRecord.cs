using System.Text.Json;
using System.Text.Json.Serialization;
using Pluggable.Abstractions;
using Pluggable.Linux;
using Pluggable.Runtime.Sealing;

namespace Pluggable.Runtime.State;

/// <summary>
/// What was sealed and how, in <c>state.json</c>. The annotation value is stored as the string it was given
/// (empty when absent), never as a number: state files outlive the program that wrote them.
/// </summary>
public sealed record StateRecord(
    string CloneSelfExe,
    string Provider,
    string Guarantee,
    string Source,
    long Size,
    string? Sha256,
    IReadOnlyList<SealAttempt> Attempts,
    IReadOnlyDictionary<string, string> Annotations,
    DateTimeOffset Created)
{
    /// <summary>The file's name inside the state directory.</summary>
    public const string FileName = "state.json";

    /// <summary>The record of <paramref name="outcome"/>.</summary>
    public static StateRecord Of(SealOutcome outcome, SourceExecutable source, IReadOnlyDictionary<string, string> annotations)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(source);
        return new StateRecord(
            outcome.Mode, outcome.Provider, outcome.Executable.Guarantee.ToName(), source.Path, source.Size,
            outcome.Verified.Sha256, outcome.Attempts, annotations, DateTimeOffset.UtcNow);
    }

    /// <summary>Writes the record to <paramref name="directory"/>/state.json atomically.</summary>
    public void WriteTo(string directory)
    {
        var path = Path.Combine(directory, FileName);
        try
        {
            AtomicFile.Replace(path, JsonSerializer.SerializeToUtf8Bytes(this, StateJson.Default.StateRecord));
        }
        catch (SealingException error)
        {
            throw new BadInputException($"cannot write {path}: {error.Message}");
        }
    }
}

/// <summary>The JSON of state.json, generated at compile time.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(StateRecord))]
internal sealed partial class StateJson : JsonSerializerContext;
