using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Pluggable.Runtime.Configuration;

/// <summary>
/// Finds and reads the operator's policy: <c>--config FILE</c>, else <c>$EXESEAL_CONFIG</c>, else
/// <c>/etc/exeseal/exeseal.json</c> if it exists, else the embedded defaults alone. EXESEAL_* variables
/// (<c>EXESEAL_ALLOWEXPERIMENTAL=true</c>, <c>EXESEAL_MODES__vendor-x__0=memfd</c>) override the file.
/// A key the file sets replaces the default whole; <c>modes</c> is merged value by value.
/// </summary>
public static class ConfigurationLoader
{
    /// <summary>The file read when neither --config nor EXESEAL_CONFIG names one.</summary>
    public const string DefaultPath = "/etc/exeseal/exeseal.json";

    /// <summary>The environment variable that names the configuration file.</summary>
    public const string PathVariable = "EXESEAL_CONFIG";

    private const string EnvironmentPrefix = "EXESEAL_";

    private static readonly string[] KnownKeys =
        ["pluginDirectories", "defaultChain", "modes", "allowedModes", "allowExperimental", "verifyContent", "stateRoot", "providers", "maxSourceBytes", "sealTimeouts"];

    /// <summary>Loads the configuration; throws <see cref="BadInputException"/> naming the key and the problem.</summary>
    public static ExesealConfiguration Load(string? commandLinePath)
    {
        var path = commandLinePath
            ?? (Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null)
            ?? (File.Exists(DefaultPath) ? DefaultPath : null);
        var defaults = ReadDefaults();
        var operatorLayer = ReadOperatorLayer(path);
        return Merge(defaults, operatorLayer, path is null ? null : Path.GetFullPath(path));
    }

    /// <summary>The name of an EXESEAL_* variable in this process's environment, or null when there is none.</summary>
    public static string? EnvironmentOverride()
    {
        foreach (var name in Environment.GetEnvironmentVariables().Keys.OfType<string>())
        {
            // Microsoft.Extensions.Configuration matches the prefix whatever its case, so this does too.
            if (name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>The embedded defaults alone, as exeseal applies them when no file exists.</summary>
    public static ExesealConfiguration Defaults() =>
        Merge(ReadDefaults(), new ConfigurationLayer(new ConfigurationBuilder().Build(), "none"), null);

    private static ConfigurationLayer ReadDefaults()
    {
        using var stream = typeof(ConfigurationLoader).Assembly.GetManifestResourceStream("exeseal.defaults.json")
            ?? throw new InvalidOperationException("the embedded defaults are missing from the build");
        return new ConfigurationLayer(new ConfigurationBuilder().AddJsonStream(stream).Build(), "the embedded defaults");
    }

    private static ConfigurationLayer ReadOperatorLayer(string? path)
    {
        var builder = new ConfigurationBuilder();
        var name = "the environment";
        if (path is not null)
        {
            var full = Path.GetFullPath(path);
            name = full;
            if (Directory.Exists(full))
            {
                throw new BadInputException($"configuration file {full} is a directory");
            }

            if (!File.Exists(full))
            {
                throw new BadInputException($"configuration file {full} does not exist");
            }

            builder.AddJsonFile(full, optional: false, reloadOnChange: false);
        }

        builder.AddEnvironmentVariables(EnvironmentPrefix);
        try
        {
            var layer = new ConfigurationLayer(builder.Build(), name);
            foreach (var key in layer.TopLevelKeys.Where(key => !key.Equals("CONFIG", StringComparison.OrdinalIgnoreCase)))
            {
                if (!KnownKeys.Contains(key, StringComparer.OrdinalIgnoreCase))
                {
                    throw layer.Invalid(key, $"is not a setting (known: {string.Join(", ", KnownKeys)})");
                }
            }

            return layer;
        }
        catch (Exception error) when (error is InvalidDataException or FormatException or JsonException)
        {
            throw new BadInputException($"configuration file {name} is not valid JSON: {error.GetBaseException().Message}");
        }
    }

    private static ExesealConfiguration Merge(ConfigurationLayer defaults, ConfigurationLayer file, string? path)
    {
        var modes = new Dictionary<string, ConfiguredChain>(StringComparer.Ordinal);
        foreach (var (layer, origin) in new[] { (defaults, SettingOrigin.Defaults), (file, SettingOrigin.File) })
        {
            foreach (var value in layer.ChildKeys("modes"))
            {
                modes[value] = new ConfiguredChain(NonEmptyChain(layer, $"modes:{value}"), origin);
            }
        }

        var defaultChain = file.Has("defaultChain")
            ? new ConfiguredChain(NonEmptyChain(file, "defaultChain"), SettingOrigin.File)
            : new ConfiguredChain(NonEmptyChain(defaults, "defaultChain"), SettingOrigin.Defaults);
        var allowedLayer = file.Has("allowedModes") ? file : defaults;
        var allowed = allowedLayer.List("allowedModes")!;
        foreach (var value in allowed.Where(value => !modes.ContainsKey(value)))
        {
            throw allowedLayer.Invalid("allowedModes", $"names \"{value}\", which is not a value of modes ({Quoted(modes.Keys)})");
        }

        var stateLayer = file.Has("stateRoot") ? file : defaults;
        var stateRoot = stateLayer.Text("stateRoot") ?? "";
        if (!Path.IsPathRooted(stateRoot))
        {
            throw stateLayer.Invalid("stateRoot", $"must be an absolute path, not \"{stateRoot}\"");
        }

        return new ExesealConfiguration
        {
            File = path,
            PluginDirectories = file.List("pluginDirectories") ?? defaults.List("pluginDirectories") ?? [],
            DefaultChain = defaultChain,
            Modes = modes,
            AllowedModes = allowed.ToHashSet(StringComparer.Ordinal),
            AllowExperimental = file.Boolean("allowExperimental") ?? defaults.Boolean("allowExperimental") ?? false,
            VerifyContent = file.Boolean("verifyContent") ?? defaults.Boolean("verifyContent") ?? false,
            StateRoot = stateRoot,
            ProviderSettings = ProviderSections(file),
            MaxSourceBytes = (long)(file.PositiveNumber("maxSourceBytes") ?? defaults.PositiveNumber("maxSourceBytes") ?? ExesealConfiguration.DefaultMaxSourceBytes),
            SealTimeouts = SealTimeouts(file),
        };
    }

    private static Dictionary<string, TimeSpan> SealTimeouts(ConfigurationLayer file)
    {
        var timeouts = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        foreach (var provider in file.ChildKeys("sealTimeouts"))
        {
            timeouts[provider] = TimeSpan.FromSeconds(file.PositiveNumber($"sealTimeouts:{provider}")!.Value);
        }

        if (file.Has("sealTimeouts") && timeouts.Count == 0 && !string.IsNullOrEmpty(file.Text("sealTimeouts")))
        {
            throw file.Invalid("sealTimeouts", $"must be an object of provider names and seconds, not \"{file.Text("sealTimeouts")}\"");
        }

        return timeouts;
    }

    // Only the shape is checked here; which keys a provider knows is for the provider to declare (see ProviderSettings).
    private static IConfigurationSection ProviderSections(ConfigurationLayer file)
    {
        var providers = file.Section("providers");
        if (!string.IsNullOrEmpty(providers.Value))
        {
            throw file.Invalid("providers", $"must be an object of provider names, not \"{providers.Value}\"");
        }

        foreach (var provider in providers.GetChildren().Where(section => !string.IsNullOrEmpty(section.Value)))
        {
            throw file.Invalid(provider.Path, $"must be an object of settings, not \"{provider.Value}\"");
        }

        return providers;
    }

    private static IReadOnlyList<string> NonEmptyChain(ConfigurationLayer layer, string key)
    {
        var chain = layer.List(key) ?? [];
        return chain.Count > 0 ? chain : throw layer.Invalid(key, "is empty: name at least one provider");
    }

    /// <summary>"a", "b" or "c".</summary>
    internal static string Quoted(IEnumerable<string> values)
    {
        var quoted = values.Select(value => $"\"{value}\"").ToList();
        return quoted.Count <= 1 ? string.Concat(quoted) : $"{string.Join(", ", quoted[..^1])} or {quoted[^1]}";
    }
}
