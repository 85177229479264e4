using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Pluggable.Abstractions;

namespace Pluggable.Linux;

/// <summary>Mount attributes of mount_setattr(2) and fsmount(2) (MOUNT_ATTR_*).</summary>
[Flags]
public enum MountAttributes : ulong
{
    /// <summary>No attribute.</summary>
    None = 0,

    /// <summary>MOUNT_ATTR_RDONLY: nothing on the mount can be written.</summary>
    ReadOnly = 0x1,

    /// <summary>MOUNT_ATTR_NOSUID: set-user-ID and set-group-ID bits are ignored.</summary>
    NoSetId = 0x2,

    /// <summary>MOUNT_ATTR_NODEV: device files cannot be opened.</summary>
    NoDevices = 0x4,

    /// <summary>MOUNT_ATTR_NOEXEC: nothing on the mount can be executed.</summary>
    NoExecute = 0x8,
}

/// <summary>
/// The mount API of Linux 5.2 (fsopen, fsconfig, fsmount, open_tree) and 5.12 (mount_setattr), exported by glibc
/// from 2.36. A mount made this way is held by a descriptor and attached to no path, so no other process can
/// find it in any mount table; it lives until the last descriptor on anything inside it is closed.
/// </summary>
public static partial class MountApi
{
    private const uint FsOpenCloseOnExec = 0x1;
    private const uint FsConfigSetString = 1;
    private const uint FsConfigCommandCreate = 6;
    private const uint FsMountCloseOnExec = 0x1;
    private const uint OpenTreeClone = 0x1;
    private const uint AtEmptyPath = 0x1000;
    private const int MountAttrSize = 32;

    /// <summary>fsopen(<paramref name="filesystem"/>, FSOPEN_CLOEXEC): a filesystem context to configure.</summary>
    public static SafeFileHandle OpenFilesystem(string filesystem)
    {
        var fd = fsopen(filesystem, FsOpenCloseOnExec);
        return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : throw SystemCallFailure.FromLastError($"cannot open a {filesystem} filesystem context", MountHint);
    }

    /// <summary>fsconfig(FSCONFIG_SET_STRING); the exception carries what the kernel logged into the context.</summary>
    public static void SetString(SafeFileHandle context, string key, string value)
    {
        if (fsconfig(context, FsConfigSetString, key, value, 0) != 0)
        {
            throw WithContextLog(context, $"cannot set {key}={value}");
        }
    }

    /// <summary>fsconfig(FSCONFIG_SET_STRING) for an option that may be missing; returns the errno, 0 on success.</summary>
    public static int TrySetString(SafeFileHandle context, string key, string value)
    {
        if (fsconfig(context, FsConfigSetString, key, value, 0) == 0)
        {
            return 0;
        }

        var errno = SystemCallFailure.LastErrno;
        _ = ReadContextLog(context); // The kernel queues a message per failure; drop it so a later failure reports its own.
        return errno;
    }

    /// <summary>fsconfig(FSCONFIG_CMD_CREATE): makes the superblock from the configured options.</summary>
    public static void Create(SafeFileHandle context, string subject)
    {
        if (fsconfig(context, FsConfigCommandCreate, null, null, 0) != 0)
        {
            throw WithContextLog(context, $"cannot create {subject}");
        }
    }

    /// <summary>fsmount(FSMOUNT_CLOEXEC, <paramref name="attributes"/>): a detached mount of the created superblock.</summary>
    public static SafeFileHandle Mount(SafeFileHandle context, MountAttributes attributes, string subject)
    {
        var fd = fsmount(context, FsMountCloseOnExec, (uint)attributes);
        return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : throw WithContextLog(context, $"cannot mount {subject}");
    }

    /// <summary>
    /// open_tree(fd, "", OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC|AT_EMPTY_PATH): a detached bind mount of exactly the
    /// object behind <paramref name="handle"/>. For a regular file the new mount's root is the file itself.
    /// Closing the returned descriptor dissolves the mount; descriptors opened inside it keep it alive.
    /// </summary>
    public static SafeFileHandle CloneTree(SafeFileHandle handle, string subject)
    {
        var fd = open_tree(handle, "", OpenTreeClone | (uint)OpenFlags.CloseOnExec | AtEmptyPath);
        return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : throw SystemCallFailure.FromLastError($"cannot clone a mount of {subject}", MountHint);
    }

    /// <summary>mount_setattr(fd, "", AT_EMPTY_PATH): sets and clears attributes of the mount behind <paramref name="mount"/>.</summary>
    public static void SetAttributes(SafeFileHandle mount, MountAttributes set, MountAttributes clear, string subject)
    {
        if (TrySetAttributes(mount, set, clear) is var errno and not 0)
        {
            throw SystemCallFailure.Create(errno, $"cannot change the mount attributes of {subject}", MountHint);
        }
    }

    /// <summary>Tries <see cref="SetAttributes"/>; returns the errno instead of throwing, 0 on success.</summary>
    public static unsafe int TrySetAttributes(SafeFileHandle mount, MountAttributes set, MountAttributes clear)
    {
        var attributes = new MountAttr { Set = (ulong)set, Clear = (ulong)clear };
        return mount_setattr(mount, "", AtEmptyPath, &attributes, MountAttrSize) == 0 ? 0 : SystemCallFailure.LastErrno;
    }

    /// <summary>
    /// Whether fsopen(<paramref name="filesystem"/>) works here: 0, or the errno (ENOSYS before Linux 5.2 or when
    /// the C library lacks the call, EPERM without CAP_SYS_ADMIN, ENODEV for an unknown filesystem).
    /// </summary>
    public static int ProbeFilesystem(string filesystem)
    {
        try
        {
            var fd = fsopen(filesystem, FsOpenCloseOnExec);
            if (fd < 0)
            {
                return SystemCallFailure.LastErrno;
            }

            new SafeFileHandle(fd, ownsHandle: true).Dispose();
            return 0;
        }
        catch (EntryPointNotFoundException)
        {
            return Errno.ENOSYS;
        }
    }

    /// <summary>
    /// Whether mount_setattr(2) exists: the kernel checks the flags and then the size before it looks at any
    /// descriptor or path, so a call with size 0 answers EINVAL where it exists and ENOSYS where it does not
    /// (before Linux 5.12), changing nothing.
    /// </summary>
    public static unsafe bool HasMountSetAttributes()
    {
        try
        {
            return mount_setattr(-100, "", AtEmptyPath, null, 0) == 0 || SystemCallFailure.LastErrno != Errno.ENOSYS;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    private static string? MountHint(int errno) => errno switch
    {
        Errno.EPERM => "making a mount needs CAP_SYS_ADMIN",
        Errno.ENOSYS => "this kernel (or C library) lacks the mount API: Linux 5.2, mount_setattr 5.12, glibc 2.36",
        Errno.ENODEV => "the kernel does not know this filesystem (is its module loaded?)",
        _ => null,
    };

    private static SealingException WithContextLog(SafeFileHandle context, string action)
    {
        var errno = SystemCallFailure.LastErrno;
        var log = ReadContextLog(context);
        return SystemCallFailure.Create(errno, action, e => Join(MountHint(e), log));
    }

    private static string? Join(string? hint, string? log) =>
        log is null ? hint : hint is null ? $"the kernel said: {log}" : $"{hint}; the kernel said: {log}";

    // A filesystem context queues the kernel's messages ("e overlay: failed to resolve ...") for read(2), one
    // message per read, until ENODATA.
    private static unsafe string? ReadContextLog(SafeFileHandle context)
    {
        var messages = new List<string>();
        var buffer = stackalloc byte[1024];
        for (var i = 0; i < 16; i++)
        {
            var count = read(context, buffer, 1024);
            if (count <= 0)
            {
                break;
            }

            messages.Add(Encoding.UTF8.GetString(buffer, (int)count).TrimEnd('\n'));
        }

        return messages.Count == 0 ? null : string.Join("; ", messages);
    }

    // struct mount_attr from <linux/mount.h> (MOUNT_ATTR_SIZE_VER0): attr_set, attr_clr, propagation, userns_fd.
    [StructLayout(LayoutKind.Sequential)]
    private struct MountAttr
    {
        public ulong Set;
        public ulong Clear;
        public ulong Propagation;
        public ulong UserNamespace;
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int fsopen(string filesystem, uint flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int fsconfig(SafeFileHandle context, uint command, string? key, string? value, int auxiliary);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsmount(SafeFileHandle context, uint flags, uint attributes);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open_tree(SafeFileHandle directory, string path, uint flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int mount_setattr(SafeFileHandle mount, string path, uint flags, MountAttr* attributes, nuint size);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int mount_setattr(int directory, string path, uint flags, MountAttr* attributes, nuint size);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint read(SafeFileHandle fd, byte* buffer, nuint count);
}
