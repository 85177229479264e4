namespace Pluggable.Runtime.Configuration;

/// <summary>Where a setting came from.</summary>
public enum SettingOrigin
{
    /// <summary>The defaults embedded in exeseal.</summary>
    Defaults,

    /// <summary>The operator's configuration file or EXESEAL_* environment variables.</summary>
    File,
}

/// <summary>A chain of provider names and where it was configured.</summary>
public sealed record ConfiguredChain(IReadOnlyList<string> Providers, SettingOrigin Origin);

/// <summary>The operator's policy, validated in shape; <see cref="Policy.ChainPolicy"/> validates it against the loaded providers.</summary>
public sealed record ExesealConfiguration
{
    /// <summary>The configuration file read, or null when only the embedded defaults apply.</summary>
    public string? File { get; init; }

    /// <summary>Plugin directories searched after the built-in one.</summary>
    public IReadOnlyList<string> PluginDirectories { get; init; } = [];

    /// <summary>The chain used when the annotation is absent or empty.</summary>
    public required ConfiguredChain DefaultChain { get; init; }

    /// <summary>Annotation values and their chains; matched exactly (ordinal, no trimming), as runc does.</summary>
    public required IReadOnlyDictionary<string, ConfiguredChain> Modes { get; init; }

    /// <summary>The annotation values a pod author may choose.</summary>
    public required IReadOnlySet<string> AllowedModes { get; init; }

    /// <summary>Whether chains may contain experimental providers.</summary>
    public bool AllowExperimental { get; init; }

    /// <summary>Whether every sealed object's SHA-256 is compared with its source's.</summary>
    public bool VerifyContent { get; init; }

    /// <summary>Where private state directories are made.</summary>
    public required string StateRoot { get; init; }

    /// <summary>
    /// The <c>providers</c> section: one child per provider name, handed to that provider as
    /// <see cref="Abstractions.SealRequest.Settings"/>. Null when the operator set none.
    /// </summary>
    public Microsoft.Extensions.Configuration.IConfigurationSection? ProviderSettings { get; init; }

    /// <summary>
    /// 256 MiB: several times the largest container runtime or init binary (runc, crun, containerd-shim are 2–16 MiB),
    /// and a bound on the shared memory one memfd copy may take.
    /// </summary>
    public const long DefaultMaxSourceBytes = 256L << 20;

    /// <summary>How long a provider may take in Seal when <see cref="SealTimeouts"/> does not name it.</summary>
    public static readonly TimeSpan DefaultSealTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The largest file exeseal seals; a bigger one is bad input.</summary>
    public long MaxSourceBytes { get; init; } = DefaultMaxSourceBytes;

    /// <summary>How long each named provider may take in Seal before it counts as failed.</summary>
    public IReadOnlyDictionary<string, TimeSpan> SealTimeouts { get; init; } = new Dictionary<string, TimeSpan>();
}
