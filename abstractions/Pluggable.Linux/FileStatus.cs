using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Pluggable.Linux;

/// <summary>What statx(2) says about a file, in the fields exeseal uses.</summary>
public readonly partial record struct FileStatus(
    int Mode,
    long Size,
    ulong Inode,
    uint DeviceMajor,
    uint DeviceMinor,
    uint LinkCount,
    uint OwnerId,
    ulong MountId)
{
    private const int TypeMask = 0xF000;

    /// <summary>A regular file.</summary>
    public bool IsRegularFile => (Mode & TypeMask) == 0x8000;

    /// <summary>A directory.</summary>
    public bool IsDirectory => (Mode & TypeMask) == 0x4000;

    /// <summary>The kind of file, in the words of ls(1): "directory", "fifo", "character device"…</summary>
    public string Kind => (Mode & TypeMask) switch
    {
        0x8000 => "regular file",
        0x4000 => "directory",
        0x1000 => "fifo",
        0x2000 => "character device",
        0x6000 => "block device",
        0xC000 => "socket",
        0xA000 => "symbolic link",
        _ => "unknown file type",
    };

    /// <summary>Whether the two statuses name the same inode on the same filesystem.</summary>
    public bool IsSameInodeAs(FileStatus other) =>
        Inode == other.Inode && DeviceMajor == other.DeviceMajor && DeviceMinor == other.DeviceMinor;

    /// <summary>fstat of an open handle (including O_PATH handles).</summary>
    public static FileStatus Of(SafeFileHandle handle, string subject) =>
        Query(handle, "", AtEmptyPath, subject);

    /// <summary>stat of a path; <paramref name="followLinks"/> false is lstat.</summary>
    public static FileStatus Of(string path, bool followLinks = true) =>
        Query(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, path);

    private const int AtFdCwd = -100;
    private const int AtEmptyPath = 0x1000;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;
    private const uint StatxMountId = 0x1000;

    private static FileStatus Query(SafeFileHandle handle, string path, int flags, string subject)
    {
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return Query(handle.DangerousGetHandle().ToInt32(), path, flags, subject);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private static unsafe FileStatus Query(int dirfd, string path, int flags, string subject)
    {
        StatxBuffer buffer;
        if (statx(dirfd, path, flags, StatxBasicStats | StatxMountId, &buffer) != 0)
        {
            throw SystemCallFailure.FromLastError($"cannot stat {subject}");
        }

        return new FileStatus(
            buffer.Mode, (long)buffer.Size, buffer.Inode, buffer.DeviceMajor, buffer.DeviceMinor,
            buffer.LinkCount, buffer.Uid, buffer.MountId);
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int statx(int dirfd, string path, int flags, uint mask, StatxBuffer* buffer);

    // struct statx from <linux/stat.h>: the same layout on every architecture, 256 bytes.
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(16)] public uint LinkCount;
        [FieldOffset(20)] public uint Uid;
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(32)] public ulong Inode;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(136)] public uint DeviceMajor;
        [FieldOffset(140)] public uint DeviceMinor;
        [FieldOffset(144)] public ulong MountId;
    }
}
