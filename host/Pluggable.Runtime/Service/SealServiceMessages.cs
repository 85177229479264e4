using System.Text.Json.Serialization;
using Pluggable.Runtime.Sealing;

namespace Pluggable.Runtime.Service;

/// <summary>What a client asks the daemon: seal the executable whose descriptor travels with this message.</summary>
/// <param name="Path">The executable's path as the client opened it, for messages and logs only: the descriptor is what is sealed.</param>
/// <param name="CloneSelfExe">The clone-self-exe value the client's bundle gave; null when absent (the default chain).</param>
public sealed record SealServiceRequest(string Path, string? CloneSelfExe);

/// <summary>The daemon's answer. On success the sealed object's descriptor travels with it.</summary>
/// <param name="ExitCode">What the CLI would have exited with: 0 when sealed, otherwise as documented in <see cref="ExitCodes"/>.</param>
/// <param name="Error">The sentence the CLI would have printed, when <paramref name="ExitCode"/> is not 0.</param>
/// <param name="Provider">The provider that sealed it, when it is sealed.</param>
/// <param name="Attempts">Every provider tried, in order.</param>
public sealed record SealServiceReply(int ExitCode, string? Error, string? Provider, IReadOnlyList<SealAttempt> Attempts);

// Strict both ways: a client and a daemon from different exeseal versions that disagree on a field find out
// (the client then seals with the CLI) instead of reading a missing clone-self-exe as "absent".
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    RespectRequiredConstructorParameters = true,
    RespectNullableAnnotations = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(SealServiceRequest))]
[JsonSerializable(typeof(SealServiceReply))]
internal sealed partial class SealServiceJson : JsonSerializerContext;
