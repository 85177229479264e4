using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Pluggable.Abstractions;

/// <summary>What a provider seals, and where it may keep its work.</summary>
/// <param name="Source">The executable, opened read-only by the host; the provider must not close it.</param>
/// <param name="SourcePath">The path the executable was opened through, for messages and path-based providers.</param>
/// <param name="SourceSize">The size of the source when it was opened; the sealed object must have the same size.</param>
/// <param name="StateDirectory">A private directory for the provider's temporary objects; it outlives the seal.</param>
/// <param name="Logger">Where the provider says what it is doing, at debug level.</param>
public sealed record SealRequest(
    SafeFileHandle Source,
    string SourcePath,
    long SourceSize,
    string StateDirectory,
    ILogger Logger);
