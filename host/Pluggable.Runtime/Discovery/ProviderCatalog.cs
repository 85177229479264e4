using Pluggable.Abstractions;

namespace Pluggable.Runtime.Discovery;

/// <summary>A plugin, or a provider in it, that could not be used, and why.</summary>
public sealed record PluginError(string Plugin, string Message);

/// <summary>A provider found in a plugin: its metadata now, the provider itself only when it is first used.</summary>
public sealed class ProviderRegistration
{
    private readonly Lazy<ISealingProvider> export;

    /// <summary>A provider exported by <paramref name="plugin"/>, built by <paramref name="export"/> on first use.</summary>
    public ProviderRegistration(SealingProviderMetadata metadata, string plugin, string version, Lazy<ISealingProvider> export)
    {
        Metadata = metadata;
        Plugin = plugin;
        Version = version;
        this.export = export;
    }

    /// <summary>The provider's name.</summary>
    public string Name => Metadata.Name;

    /// <summary>What the provider's export attribute says about it.</summary>
    public SealingProviderMetadata Metadata { get; }

    /// <summary>The plugin assembly the provider comes from.</summary>
    public string Plugin { get; }

    /// <summary>The plugin assembly's version.</summary>
    public string Version { get; }

    /// <summary>The provider, constructed on the first call. A constructor that throws becomes a <see cref="SealingException"/>.</summary>
    public ISealingProvider Provider
    {
        get
        {
            try
            {
                return export.Value;
            }
#pragma warning disable CA1031 // A plugin's constructor may throw anything; it must not take the host down.
            catch (Exception error)
#pragma warning restore CA1031
            {
                throw new SealingException(
                    $"provider {Name} from {Plugin} could not be constructed: {error.GetBaseException().Message}", error);
            }
        }
    }
}

/// <summary>Every provider discovered at start-up, by name, and every plugin that failed.</summary>
public sealed class ProviderCatalog(
    IReadOnlyList<ProviderRegistration> providers,
    IReadOnlyList<PluginError> errors,
    IReadOnlyDictionary<string, PluginError>? refusedByTrust = null)
{
    private readonly Dictionary<string, ProviderRegistration> byName = providers.ToDictionary(p => p.Name, StringComparer.Ordinal);

    /// <summary>The providers, in discovery order.</summary>
    public IReadOnlyList<ProviderRegistration> Providers { get; } = providers;

    /// <summary>The plugins and providers that were skipped.</summary>
    public IReadOnlyList<PluginError> Errors { get; } = errors;

    /// <summary>The provider named <paramref name="name"/>, or null.</summary>
    public ProviderRegistration? Find(string name) => byName.GetValueOrDefault(name);

    /// <summary>
    /// Why no provider named <paramref name="name"/> is loaded when a plugin that declares it was refused by plugin
    /// trust; null when none was, or when another plugin provides the name.
    /// </summary>
    public PluginError? RefusedByTrust(string name) => Find(name) is null ? refusedByTrust?.GetValueOrDefault(name) : null;
}
