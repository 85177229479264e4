using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
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
    ILogger Logger)
{
    /// <summary>
    /// The provider's own section of the operator's configuration, <c>providers.&lt;name&gt;</c>: read
    /// <c>Settings["sealExec"]</c> for <c>providers.memfd.sealExec</c>. Empty when the operator set nothing.
    /// Declare the keys in <see cref="ExportSealingProviderAttribute.Settings"/> so that the host can report
    /// the ones it does not know.
    /// </summary>
    public IConfiguration Settings { get; init; } = new EmptySection("");

    // The contract must not depend on a configuration implementation; an empty section needs none.
    private sealed class EmptySection(string path) : IConfigurationSection
    {
        public string Key => path[(path.LastIndexOf(':') + 1)..];

        public string Path => path;

        public string? Value
        {
            get => null;
            set => throw new NotSupportedException("provider settings are read-only");
        }

        public string? this[string key]
        {
            get => null;
            set => throw new NotSupportedException("provider settings are read-only");
        }

        public IEnumerable<IConfigurationSection> GetChildren() => [];

        public IChangeToken GetReloadToken() => new CancellationChangeToken(CancellationToken.None);

        public IConfigurationSection GetSection(string key) => new EmptySection(path.Length == 0 ? key : $"{path}:{key}");
    }
}
