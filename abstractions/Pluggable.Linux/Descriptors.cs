using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Pluggable.Linux;

/// <summary>What a descriptor allows: fcntl(F_GETFL) and fstatvfs(3).</summary>
public static partial class Descriptors
{
    private const int FGetFlags = 3;
    private const int AccessModeMask = 3;
    private const ulong MountReadOnly = 1;

    /// <summary>Whether <paramref name="handle"/> can write: neither O_PATH nor opened read-only.</summary>
    public static bool CanWrite(SafeFileHandle handle, string subject)
    {
        var flags = fcntl(handle, FGetFlags, 0);
        if (flags < 0)
        {
            throw SystemCallFailure.FromLastError($"cannot read the flags of {subject}");
        }

        return (flags & OpenFlags.Path) == 0 && (flags & AccessModeMask) != OpenFlags.ReadOnly;
    }

    /// <summary>Whether the mount that holds <paramref name="handle"/> is read-only (ST_RDONLY).</summary>
    public static unsafe bool IsOnReadOnlyMount(SafeFileHandle handle, string subject)
    {
        StatvfsBuffer buffer;
        if (fstatvfs(handle, &buffer) != 0)
        {
            throw SystemCallFailure.FromLastError($"cannot read the mount flags of {subject}");
        }

        return (buffer.Flags & MountReadOnly) != 0;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fcntl(SafeFileHandle fd, int command, int argument);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int fstatvfs(SafeFileHandle fd, StatvfsBuffer* buffer);

    // struct statvfs of glibc on 64-bit Linux: eight unsigned longs, then f_fsid and f_flag.
    [StructLayout(LayoutKind.Explicit, Size = 112)]
    private struct StatvfsBuffer
    {
        [FieldOffset(72)] public ulong Flags;
    }
}
