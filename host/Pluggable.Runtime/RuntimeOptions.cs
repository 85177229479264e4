namespace Pluggable.Runtime;

/// <summary>What the runtime needs to know at start-up.</summary>
public sealed record RuntimeOptions
{
    /// <summary>The directory of the built-in plugins: <c>plugins</c> beside the exeseal executable.</summary>
    public static string BuiltInPluginDirectory => Path.Combine(AppContext.BaseDirectory, "plugins");

    /// <summary>Plugin directories in the order they are searched; the first provider of a name wins.</summary>
    public IReadOnlyList<string> PluginDirectories { get; init; } = [BuiltInPluginDirectory];

    /// <summary>Where private state directories are made when no state directory is given.</summary>
    public string StateRoot { get; init; } = "/run/exeseal";

    /// <summary>
    /// The options of <paramref name="configuration"/>: the built-in plugins, then the configured directories, then
    /// <paramref name="extraPluginDirectories"/> (from the command line).
    /// </summary>
    public static RuntimeOptions From(Configuration.ExesealConfiguration configuration, IEnumerable<string> extraPluginDirectories)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return new RuntimeOptions
        {
            PluginDirectories = [BuiltInPluginDirectory, .. configuration.PluginDirectories, .. extraPluginDirectories],
            StateRoot = configuration.StateRoot,
            VerifyContent = configuration.VerifyContent,
            MaxSourceBytes = configuration.MaxSourceBytes,
            SealTimeouts = configuration.SealTimeouts,
        };
    }

    /// <summary>Compare the SHA-256 of every sealed object with its source's.</summary>
    public bool VerifyContent { get; init; }

    /// <summary>The largest file exeseal seals.</summary>
    public long MaxSourceBytes { get; init; } = Configuration.ExesealConfiguration.DefaultMaxSourceBytes;

    /// <summary>How long each named provider may take in Seal; the others get <see cref="Configuration.ExesealConfiguration.DefaultSealTimeout"/>.</summary>
    public IReadOnlyDictionary<string, TimeSpan> SealTimeouts { get; init; } = new Dictionary<string, TimeSpan>();

    /// <summary>How long <paramref name="provider"/> may take in Seal.</summary>
    public TimeSpan SealTimeout(string provider) =>
        SealTimeouts.TryGetValue(provider, out var timeout) ? timeout : Configuration.ExesealConfiguration.DefaultSealTimeout;
}
