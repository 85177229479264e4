using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Pluggable.Runtime.Discovery;

namespace Pluggable.Runtime.Configuration;

/// <summary>
/// The operator's <c>providers.&lt;name&gt;</c> sections, handed to each provider through the contract, and the
/// keys no loaded provider declares. Unknown keys are reported, not fatal: a fleet-wide file may configure a
/// plugin that is installed on some nodes only.
/// </summary>
public sealed class ProviderSettings(ExesealConfiguration configuration)
{
    private readonly string where = configuration.File ?? "the environment";

    // Every seal asks for its provider's section; the configuration does not change once loaded, so each section
    // is made once rather than on every seal (an empty configuration root costs several objects).
    private readonly ConcurrentDictionary<string, IConfiguration> sections = new(StringComparer.Ordinal);

    /// <summary>The section of the provider named <paramref name="name"/>; empty when the operator set nothing.</summary>
    public IConfiguration For(string name) =>
        sections.GetOrAdd(name, static (key, all) => all?.GetSection(key) ?? (IConfiguration)new ConfigurationBuilder().Build(), configuration.ProviderSettings);

    /// <summary>One sentence for each provider section or key that <paramref name="catalog"/> has no use for.</summary>
    public IReadOnlyList<string> Problems(ProviderCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var problems = new List<string>();
        foreach (var section in configuration.ProviderSettings?.GetChildren() ?? [])
        {
            var provider = catalog.Providers.FirstOrDefault(p => string.Equals(p.Name, section.Key, StringComparison.OrdinalIgnoreCase));
            if (provider is null)
            {
                problems.Add($"providers.{section.Key} in {where}: no loaded provider is named \"{section.Key}\"; its settings are ignored");
                continue;
            }

            var known = provider.Metadata.Settings;
            foreach (var key in section.GetChildren().Select(child => child.Key))
            {
                if (!known.Contains(key, StringComparer.OrdinalIgnoreCase))
                {
                    var hint = known.Length == 0 ? "it has no settings" : $"it knows {string.Join(", ", known)}";
                    problems.Add($"providers.{section.Key}.{key} in {where}: provider {provider.Name} does not read this setting ({hint}); it is ignored");
                }
            }
        }

        return problems;
    }
}
