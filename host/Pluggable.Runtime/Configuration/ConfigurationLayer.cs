using Microsoft.Extensions.Configuration;

namespace Pluggable.Runtime.Configuration;

/// <summary>
/// One source of settings (the embedded defaults, or the operator's file with EXESEAL_* variables over it),
/// read key by key with one clear sentence for each value of the wrong shape.
/// </summary>
internal sealed class ConfigurationLayer(IConfiguration configuration, string name)
{
    // Flattened keys ("modes:ro-shared-page:0"), including the null-valued keys of empty arrays, which
    // IConfigurationSection.Exists() does not see: an empty chain must be reported, not mistaken for an absent one.
    private readonly HashSet<string> keys = KeysOf(configuration);

    public string Name { get; } = name;

    public bool Has(string key) => keys.Contains(key);

    public IEnumerable<string> TopLevelKeys => configuration.GetChildren().Select(section => section.Key);

    public IConfigurationSection Section(string key) => configuration.GetSection(key);

    public IEnumerable<string> ChildKeys(string key) => configuration.GetSection(key).GetChildren().Select(section => section.Key);

    public IReadOnlyList<string>? List(string key)
    {
        if (!Has(key))
        {
            return null;
        }

        var section = configuration.GetSection(key);
        var children = section.GetChildren().ToList();
        if (children.Count == 0 && !string.IsNullOrEmpty(section.Value))
        {
            throw Invalid(key, $"must be a list, not \"{section.Value}\"");
        }

        return children.Select(child => child.Value is { Length: > 0 } value && !child.GetChildren().Any()
            ? value
            : throw Invalid($"{key}[{child.Key}]", "must be a non-empty string")).ToList();
    }

    public bool? Boolean(string key)
    {
        if (!Has(key))
        {
            return null;
        }

        var value = configuration[key];
        return bool.TryParse(value, out var parsed) ? parsed : throw Invalid(key, $"must be true or false, not \"{value}\"");
    }

    public string? Text(string key) => Has(key) ? configuration[key] : null;

    public double? PositiveNumber(string key)
    {
        if (!Has(key))
        {
            return null;
        }

        var value = configuration[key];
        return double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var parsed) && parsed > 0 && double.IsFinite(parsed)
            ? parsed
            : throw Invalid(key, $"must be a positive number, not \"{value}\"");
    }

    public BadInputException Invalid(string key, string problem) => new($"{key.Replace(':', '.')} in {Name} {problem}");

    // A loop, not Select over the KeyValuePair structs: LINQ over a value type would be compiled by the JIT at every start.
    private static HashSet<string> KeysOf(IConfiguration configuration)
    {
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in configuration.AsEnumerable())
        {
            keys.Add(pair.Key);
        }

        return keys;
    }
}
