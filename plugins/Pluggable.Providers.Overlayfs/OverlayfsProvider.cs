using System.Text;
using Microsoft.Extensions.Logging;
using Pluggable.Abstractions;
using Pluggable.Linux;

namespace Pluggable.Providers.Overlayfs;

/// <summary>
/// Opens the executable through a read-only overlayfs mount that is never attached to any path: the process runs
/// from the host's own pages, and no write path to them exists through the handle.
/// </summary>
[ExportSealingProvider(
    "overlayfs",
    Guarantee = SealingGuarantee.RoSharedPage,
    Description = "detached read-only overlayfs mount (fsopen/fsmount) of the binary's directory, opened O_PATH; ~50 µs, no copy; needs CAP_SYS_ADMIN")]
public sealed class OverlayfsProvider : ISealingProvider
{
    private const string Filesystem = "overlay";
    private const MountAttributes ReadOnlyView = MountAttributes.ReadOnly | MountAttributes.NoDevices | MountAttributes.NoSetId;

    /// <inheritdoc/>
    public ProviderProbe Probe()
    {
        if (!Capabilities.HasEffective(Capabilities.SystemAdministration))
        {
            return ProviderProbe.Unavailable("no CAP_SYS_ADMIN: making an overlayfs mount needs it (run exeseal as root)");
        }

        if (!KnowsFilesystem(Filesystem))
        {
            return ProviderProbe.Unavailable("overlay is not in /proc/filesystems: load the overlay module (modprobe overlay)");
        }

        if (fsopenWorks)
        {
            return ProviderProbe.Ready;
        }

        return MountApi.ProbeFilesystem(Filesystem) switch
        {
            0 => Remember(),
            Errno.ENOSYS => ProviderProbe.Unavailable("fsopen is missing: the new mount API needs Linux 5.2 and glibc 2.36 (or a seccomp filter hides it)"),
            var errno => ProviderProbe.Unavailable($"fsopen(\"overlay\") fails here with {Errno.NameOf(errno)}"),
        };
    }

    private static ProviderProbe Remember()
    {
        fsopenWorks = true;
        return ProviderProbe.Ready;
    }

    /// <inheritdoc/>
    public SealedExecutable Seal(SealRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var source = FileStatus.Of(request.Source, request.SourcePath);
        if (source.LinkCount == 0)
        {
            throw new SealingException($"{request.SourcePath} was deleted after it was opened; an overlay can only show a file that has a directory");
        }

        // The path of the handle the host opened, not the path given: symbolic links resolved, so the lower
        // layer is the directory that really holds the file.
        var real = Files.PathOf(request.Source);
        var directory = Path.GetDirectoryName(real) ?? "/";
        var name = Path.GetFileName(real);

        // overlayfs refuses layers that contain one another (ELOOP), so the state directory, the second layer,
        // cannot be inside the binary's directory.
        var state = Path.TrimEndingDirectorySeparator(Path.GetFullPath(request.StateDirectory));
        if (state == directory || state.StartsWith(directory.TrimEnd('/') + "/", StringComparison.Ordinal))
        {
            throw new SealingException($"the state directory {state} is inside {directory}, the directory of the binary; overlayfs cannot stack a directory on one that contains it: choose a state directory elsewhere");
        }

        using var context = MountApi.OpenFilesystem(Filesystem);
        // Without an upper layer overlayfs needs at least two lower layers. The binary's directory is the upper
        // of them, so nothing in the state directory can shadow the binary's name.
        MountApi.SetString(context, "lowerdir", EscapeLayer(directory) + ":" + EscapeLayer(request.StateDirectory));
        // With layers on different filesystems and xino on, the kernel logs a warning on every mount; kernels
        // without the option work the same without it.
        _ = MountApi.TrySetString(context, "xino", "off");
        MountApi.Create(context, $"an overlay of {directory}");
        cancellationToken.ThrowIfCancellationRequested();

        // Closed on return: the opened file keeps the detached mount alive, and once the mount descriptor is gone
        // the mount is dissolved, so mount_setattr can no longer make it writable (the kernel answers EINVAL).
        using var mount = MountApi.Mount(context, ReadOnlyView, $"the overlay of {directory}");
        var view = Files.OpenAt(mount, name, OpenFlags.Path | OpenFlags.NoFollow | OpenFlags.CloseOnExec);
        try
        {
            // The directory could have changed since the host opened the file. With xino=off overlayfs reports
            // a lower file's own inode number for non-directories, so the view must show the same inode.
            var seen = FileStatus.Of(view, "the overlay view");
            if (!seen.IsRegularFile || seen.Inode != source.Inode || seen.Size != source.Size)
            {
                throw new SealingException($"{real} is no longer the file exeseal opened (it was replaced while being sealed); retry");
            }

            if (request.Logger.IsEnabled(LogLevel.Debug))
            {
                request.Logger.LogDebug("overlayfs: {Source} seen through a detached read-only overlay of {Directory}", request.SourcePath, directory);
            }

            return new SealedExecutable(view, "overlayfs", SealingGuarantee.RoSharedPage);
        }
        catch
        {
            view.Dispose();
            throw;
        }
    }

    // overlayfs splits lowerdir at ':' and takes '\' as its escape character; escaping '\' first keeps the
    // escapes added for ':' intact. fsconfig passes one option per call, so ',' needs no escape.
    private static string EscapeLayer(string directory)
    {
        if (directory.AsSpan().IndexOfAny('\\', ':') < 0)
        {
            return directory;
        }

        var escaped = new StringBuilder(directory.Length + 8);
        foreach (var character in directory)
        {
            if (character is '\\' or ':')
            {
                escaped.Append('\\');
            }

            escaped.Append(character);
        }

        return escaped.ToString();
    }

    // A positive answer is kept: /proc/filesystems is read and split once per process, not on every probe. If
    // the module is unloaded later, fsopen still answers for itself (ENODEV) in the probe's next step.
    private static volatile bool overlayListed;

    // The runtime probes before every seal, and a trial fsopen+close of an overlay context costs ~35 µs, half of
    // a seal. Once it has worked it is not tried again in this process: capabilities are still checked on every
    // probe, and if the kernel refuses later, Seal's own fsopen fails with the errno and a hint.
    private static volatile bool fsopenWorks;

    private static bool KnowsFilesystem(string filesystem)
    {
        if (overlayListed)
        {
            return true;
        }

        try
        {
            // Lines are "nodev\toverlay" or "\text4": the name is the last field.
            return overlayListed = File.ReadLines("/proc/filesystems").Any(line => line.Split('\t')[^1] == filesystem);
        }
        catch (IOException)
        {
            return true; // Without /proc the check cannot be made; fsopen answers for itself.
        }
    }
}
