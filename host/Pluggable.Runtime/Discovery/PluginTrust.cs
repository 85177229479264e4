using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Pluggable.Abstractions;
using Pluggable.Linux;

namespace Pluggable.Runtime.Discovery;

/// <summary>
/// Whether a plugin may be loaded at all. exeseal runs as root and so does every plugin it loads: whoever can
/// change a plugin's files, or rename or replace any directory on the way to them, can run code as root. As root,
/// a plugin is refused when one of these is writable by group or others, or owned by a user other than root:
/// every file and folder of the plugin's own folder, the plugin directory, and every directory above it up to /.
/// </summary>
/// <remarks>
/// Two decisions, documented in docs/operators.md:
/// <list type="bullet">
/// <item>A sticky directory owned by root and writable by all (<c>/tmp</c>) is accepted above the plugin
/// directory, never as the plugin directory or inside a plugin: with the sticky bit the kernel lets only the
/// owner of an entry rename or remove it (unlink(2), EPERM), so nobody can swap the root-owned directory below
/// it. Anyone could add entries to such a directory, which is why the plugin directory itself may not be one.</item>
/// <item>Symbolic links are followed, and both sides are checked: every directory of the path as written, every
/// link on it (owned by root: whoever owns a link decides where it leads), and every directory of the path the
/// links resolve to.</item>
/// </list>
/// Only root is checked: a user running exeseal can only lose what that user already has.
/// </remarks>
internal sealed class PluginTrust
{
    private const int WritableByGroupOrOthers = 0x12; // 0022
    private const int Sticky = 0x200; // 01000
    private const int TypeMask = 0xF000;
    private const int SymbolicLink = 0xA000;
    private readonly Dictionary<string, string?> directories = new(StringComparer.Ordinal);

    /// <summary>Whether plugins are checked at all: only when exeseal runs as root.</summary>
    public static bool Applies => Environment.IsPrivilegedProcess;

    /// <summary>
    /// Why the plugin in <paramref name="pluginFolder"/> (a folder of <paramref name="pluginDirectory"/>) may not be
    /// loaded, naming the path and the reason; null when it may.
    /// </summary>
    public string? Refusal(string pluginDirectory, string pluginFolder)
    {
        if (!directories.TryGetValue(pluginDirectory, out var directoryRefusal))
        {
            directoryRefusal = DirectoryRefusal(pluginDirectory);
            directories[pluginDirectory] = directoryRefusal;
        }

        return directoryRefusal ?? ContentRefusal(pluginFolder);
    }

    private static string? DirectoryRefusal(string pluginDirectory)
    {
        var written = Path.GetFullPath(pluginDirectory);
        string resolved;
        try
        {
            using var handle = Files.Open(written, OpenFlags.Path | OpenFlags.CloseOnExec);
            resolved = Files.PathOf(handle);
        }
        catch (SealingException error)
        {
            return $"{written} cannot be checked: {error.Message}";
        }

        return ChainRefusal(written, checkLinks: true) ?? (resolved == written ? null : ChainRefusal(resolved, checkLinks: false));
    }

    // The plugin directory must not be writable by others even when sticky; directories above it may be.
    private static string? ChainRefusal(string directory, bool checkLinks)
    {
        var current = directory;
        for (var isPluginDirectory = true; current is not null; current = Path.GetDirectoryName(current), isPluginDirectory = false)
        {
            // A link on the path as written is judged by its owner; where it leads is the resolved path's to check.
            if (checkLinks && IsLink(current))
            {
                if (LinkRefusal(current) is { } link)
                {
                    return link;
                }

                continue;
            }

            if (Refusal(current, mayBeSticky: !isPluginDirectory) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    private static string? ContentRefusal(string pluginFolder)
    {
        if ((LinkRefusal(pluginFolder) ?? Refusal(pluginFolder, mayBeSticky: false)) is { } folder)
        {
            return folder;
        }

        foreach (var entry in Directory.EnumerateFileSystemEntries(pluginFolder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if ((LinkRefusal(entry) ?? Refusal(entry, mayBeSticky: false)) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    private static bool IsLink(string path) => Stat(path, followLinks: false) is { } status && (status.Mode & TypeMask) == SymbolicLink;

    private static string? LinkRefusal(string path)
    {
        var status = Stat(path, followLinks: false);
        return status is { } link && (link.Mode & TypeMask) == SymbolicLink && link.OwnerId != 0
            ? $"{path} is a symbolic link owned by uid {link.OwnerId}, not root; whoever owns it decides which code runs as root"
            : null;
    }

    private static string? Refusal(string path, bool mayBeSticky)
    {
        if (Stat(path, followLinks: true) is not { } status)
        {
            return $"{path} cannot be checked: it vanished while exeseal looked at it";
        }

        if (status.OwnerId != 0)
        {
            return $"{path} is owned by uid {status.OwnerId}, not root; whoever owns it can run code as root (chown root)";
        }

        var writable = (status.Mode & WritableByGroupOrOthers) != 0;
        var protectedBySticky = mayBeSticky && status.IsDirectory && (status.Mode & Sticky) != 0;
        return writable && !protectedBySticky
            ? $"{path} is writable by group or others (mode {Convert.ToString(status.Mode & 0xFFF, 8).PadLeft(4, '0')}); whoever can write there can run code as root (chmod go-w)"
            : null;
    }

    private static FileStatus? Stat(string path, bool followLinks)
    {
        try
        {
            return FileStatus.Of(path, followLinks);
        }
        catch (SealingException)
        {
            return null;
        }
    }

    /// <summary>
    /// The provider names a plugin's <c>[ExportSealingProvider("name")]</c> attributes declare, read from its
    /// metadata without loading it: enough to tell an operator that a chain needs a refused plugin.
    /// </summary>
    public static IReadOnlyList<string> DeclaredProviderNames(string assemblyPath)
    {
        try
        {
            using var stream = File.OpenRead(assemblyPath);
            using var image = new PEReader(stream);
            if (!image.HasMetadata)
            {
                return [];
            }

            var metadata = image.GetMetadataReader();
            var names = new List<string>();
            foreach (var attribute in metadata.CustomAttributes.Select(metadata.GetCustomAttribute))
            {
                if (attribute.Constructor.Kind != HandleKind.MemberReference)
                {
                    continue;
                }

                var constructor = metadata.GetMemberReference((MemberReferenceHandle)attribute.Constructor);
                if (constructor.Parent.Kind != HandleKind.TypeReference
                    || metadata.GetString(metadata.GetTypeReference((TypeReferenceHandle)constructor.Parent).Name) != nameof(ExportSealingProviderAttribute))
                {
                    continue;
                }

                // ECMA-335 II.23.3: a prolog of 0x0001, then the fixed arguments; the first is the name, a SerString.
                var blob = metadata.GetBlobReader(attribute.Value);
                if (blob.ReadUInt16() == 1 && blob.ReadSerializedString() is { } name)
                {
                    names.Add(name);
                }
            }

            return names;
        }
        catch (Exception error) when (error is IOException or BadImageFormatException or InvalidOperationException)
        {
            return [];
        }
    }
}
