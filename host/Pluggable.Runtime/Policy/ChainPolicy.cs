using Pluggable.Runtime.Configuration;
using Pluggable.Runtime.Discovery;
using Pluggable.Runtime.Sealing;

namespace Pluggable.Runtime.Policy;

/// <summary>Why a configured annotation value may not be used.</summary>
public sealed record ModeRule(string Value, ConfiguredChain Chain, string? RefusedBecause);

/// <summary>
/// Turns the annotation value into a chain of providers, exactly as the operator configured it. Built once:
/// every chain is checked against the loaded providers when the policy is made, so a typo in the
/// configuration is reported before anything is sealed.
/// </summary>
public sealed class ChainPolicy
{
    /// <summary>The annotation that selects the chain.</summary>
    public const string Annotation = "org.opencontainers.runc.clone-self-exe";

    private readonly ExesealConfiguration configuration;
    private readonly Dictionary<string, ModeRule> rules;

    /// <summary>Validates <paramref name="configuration"/> against <paramref name="catalog"/>.</summary>
    public ChainPolicy(ExesealConfiguration configuration, ProviderCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(catalog);
        this.configuration = configuration;
        var where = configuration.File ?? "the embedded defaults";
        EnsureKnown("defaultChain", configuration.DefaultChain, catalog, where);
        foreach (var (value, chain) in configuration.Modes)
        {
            EnsureKnown($"modes.{value}", chain, catalog, where);
        }

        DefaultRule = new ModeRule("", configuration.DefaultChain, TrustRefusal(configuration.DefaultChain, catalog) ?? ExperimentalRefusal(configuration.DefaultChain, catalog));
        rules = new Dictionary<string, ModeRule>(StringComparer.Ordinal);
        foreach (var (value, chain) in configuration.Modes)
        {
            rules[value] = new ModeRule(value, chain, configuration.AllowedModes.Contains(value)
                ? TrustRefusal(chain, catalog) ?? ExperimentalRefusal(chain, catalog)
                : $"\"{value}\" is not in allowedModes of {where}");
        }
    }

    /// <summary>The rule for an absent annotation.</summary>
    public ModeRule DefaultRule { get; }

    /// <summary>Every configured value, in the order the configuration lists them.</summary>
    public IEnumerable<ModeRule> Rules => rules.Values;

    /// <summary>
    /// The chain for <paramref name="value"/>: absent or empty selects the default chain; a value not configured
    /// is bad input (exit 2); a value the policy refuses is refused (exit 3). Matching is exact, as in runc.
    /// </summary>
    public SealChain Select(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return Permit(DefaultRule, SealChainOrigin.Default);
        }

        if (!rules.TryGetValue(value, out var rule))
        {
            throw new BadInputException(
                $"invalid {Annotation} value \"{value}\" (want {ConfigurationLoader.Quoted(rules.Keys)})");
        }

        return Permit(rule, SealChainOrigin.Annotation);
    }

    private static SealChain Permit(ModeRule rule, SealChainOrigin origin) => rule.RefusedBecause is null
        ? new SealChain(rule.Value, rule.Chain.Providers, origin)
        : throw new RefusedException($"{Annotation} value \"{rule.Value}\" refused by policy: {rule.RefusedBecause}");

    // A chain that needs a plugin that plugin trust refused is refused as a whole, even if another provider of it
    // could work: the operator configured that plugin, and someone may be tampering with it.
    private static string? TrustRefusal(ConfiguredChain chain, ProviderCatalog catalog)
    {
        foreach (var provider in chain.Providers)
        {
            if (catalog.RefusedByTrust(provider) is { } error)
            {
                return $"its chain needs provider {provider}, whose plugin {error.Plugin} was {error.Message}";
            }
        }

        return null;
    }

    private string? ExperimentalRefusal(ConfiguredChain chain, ProviderCatalog catalog)
    {
        var experimental = chain.Providers.Where(name => catalog.Find(name)?.Metadata.Experimental == true).ToList();
        return experimental.Count == 0 || configuration.AllowExperimental
            ? null
            : $"its chain contains the experimental provider {string.Join(", ", experimental)} and allowExperimental is false";
    }

    private static void EnsureKnown(string key, ConfiguredChain chain, ProviderCatalog catalog, string where)
    {
        foreach (var name in chain.Providers.Where(name => catalog.Find(name) is null && catalog.RefusedByTrust(name) is null))
        {
            var loaded = string.Join(", ", catalog.Providers.Select(p => p.Name));
            throw new BadInputException($"{key} in {where} names provider \"{name}\", which no plugin provides (loaded: {loaded})");
        }
    }
}
