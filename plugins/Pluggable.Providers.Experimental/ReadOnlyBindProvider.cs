using Microsoft.Extensions.Logging;
using Pluggable.Abstractions;
using Pluggable.Linux;

namespace Pluggable.Providers.Experimental;

/// <summary>
/// Opens the executable through a detached read-only bind mount of that one file. Experimental: the view is
/// read-only only as long as nobody with CAP_SYS_ADMIN over the mount clears the flag, which is why runc dropped
/// its bind-mount approach for overlayfs and copies.
/// </summary>
[ExportSealingProvider(
    "ro-bind",
    Guarantee = SealingGuarantee.RoSharedPage,
    Experimental = true,
    Description = "experimental: detached read-only bind mount of the file alone (open_tree + mount_setattr), opened O_PATH; "
        + "read-only only until a process with CAP_SYS_ADMIN over the mount clears MOUNT_ATTR_RDONLY, which is why runc dropped its bind approach")]
public sealed class ReadOnlyBindProvider : ISealingProvider
{
    private const MountAttributes ReadOnlyView = MountAttributes.ReadOnly | MountAttributes.NoSetId | MountAttributes.NoDevices;

    /// <inheritdoc/>
    public ProviderProbe Probe()
    {
        if (!Capabilities.HasEffective(Capabilities.SystemAdministration))
        {
            return ProviderProbe.Unavailable("no CAP_SYS_ADMIN: cloning a mount with open_tree needs it (run exeseal as root)");
        }

        return MountApi.HasMountSetAttributes()
            ? ProviderProbe.Ready
            : ProviderProbe.Unavailable("mount_setattr is missing: it needs Linux 5.12 and glibc 2.36 (or a seccomp filter hides it)");
    }

    /// <inheritdoc/>
    public SealedExecutable Seal(SealRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);

        // Cloned from the handle the host opened rather than from its path, which may name another file by now.
        // For a regular file the clone is a mount whose root is that file alone: nothing beside it is reachable.
        using var tree = MountApi.CloneTree(request.Source, request.SourcePath);
        MountApi.SetAttributes(tree, ReadOnlyView, MountAttributes.None, $"the bind mount of {request.SourcePath}");
        cancellationToken.ThrowIfCancellationRequested();

        // While the open_tree descriptor lives, mount_setattr through any descriptor on the mount can clear
        // RDONLY again. Closing it (on return) dissolves the detached mount: the view keeps working, and the
        // kernel answers EINVAL to every later mount_setattr or move_mount on it.
        var view = Files.Reopen(tree, OpenFlags.Path | OpenFlags.CloseOnExec);
        if (request.Logger.IsEnabled(LogLevel.Debug))
        {
            request.Logger.LogDebug("ro-bind: {Source} seen through a detached read-only bind mount", request.SourcePath);
        }

        return new SealedExecutable(view, "ro-bind", SealingGuarantee.RoSharedPage);
    }
}
