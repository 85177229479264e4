using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Pluggable.Linux;

/// <summary>Opening files and changing their mode.</summary>
public static partial class Files
{
    private const int AtFdCwd = -100;

    /// <summary>open(2): throws with errno and <paramref name="path"/> when it fails.</summary>
    public static SafeFileHandle Open(string path, int flags, int mode = 0, Func<int, string?>? hint = null)
    {
        var fd = open(path, flags, mode);
        return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : throw SystemCallFailure.FromLastError($"cannot open {path}", hint);
    }

    /// <summary>openat(2) relative to <paramref name="directory"/>.</summary>
    public static SafeFileHandle OpenAt(SafeFileHandle directory, string name, int flags, int mode = 0, Func<int, string?>? hint = null)
    {
        var fd = openat(directory, name, flags, mode);
        return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : throw SystemCallFailure.FromLastError($"cannot open {name}", hint);
    }

    /// <summary>
    /// Opens the object behind <paramref name="handle"/> again with new flags through <c>/proc/self/fd</c>.
    /// This is how an O_PATH handle to an unlinked or detached object gains (or is refused) a new access mode.
    /// </summary>
    public static SafeFileHandle Reopen(SafeFileHandle handle, int flags, Func<int, string?>? hint = null)
    {
        var errno = TryReopen(handle, flags, out var reopened);
        return errno == 0 ? reopened! : throw SystemCallFailure.Create(errno, $"cannot open {ProcPath(handle)}", hint);
    }

    /// <summary>Tries <see cref="Reopen"/>; returns the errno instead of throwing, 0 on success.</summary>
    public static unsafe int TryReopen(SafeFileHandle handle, int flags, out SafeFileHandle? reopened)
    {
        // Every seal reopens its result at least once: the path is built on the stack, not as a string.
        var path = stackalloc byte[ProcPathCapacity];
        WriteProcPath(handle, new Span<byte>(path, ProcPathCapacity));
        var fd = open(path, flags, 0);
        if (fd < 0)
        {
            reopened = null;
            return SystemCallFailure.LastErrno;
        }

        reopened = new SafeFileHandle(fd, ownsHandle: true);
        return 0;
    }

    /// <summary>The <c>/proc/self/fd/N</c> path of <paramref name="handle"/>.</summary>
    public static string ProcPath(SafeFileHandle handle) =>
        "/proc/self/fd/" + handle.DangerousGetHandle().ToInt32().ToString(CultureInfo.InvariantCulture);

    // "/proc/self/fd/" and at most ten digits and a NUL.
    private const int ProcPathCapacity = 32;

    private static void WriteProcPath(SafeFileHandle handle, Span<byte> buffer)
    {
        var prefix = "/proc/self/fd/"u8;
        prefix.CopyTo(buffer);
        _ = handle.DangerousGetHandle().ToInt32().TryFormat(buffer[prefix.Length..], out var digits, default, CultureInfo.InvariantCulture);
        buffer[prefix.Length + digits] = 0;
    }

    /// <summary>
    /// The path the kernel holds for the object behind <paramref name="handle"/> (readlink of
    /// <c>/proc/self/fd/N</c>): symbolic links already resolved, as seen from this process's root. The kernel
    /// appends " (deleted)" once the file is unlinked, so check the link count before trusting it.
    /// </summary>
    public static unsafe string PathOf(SafeFileHandle handle)
    {
        // readlink(2) into the stack: the overlayfs provider asks on every seal, and FileInfo.LinkTarget costs a
        // FileInfo and three strings for the one wanted.
        const int capacity = 4096; // PATH_MAX
        var link = stackalloc byte[ProcPathCapacity];
        WriteProcPath(handle, new Span<byte>(link, ProcPathCapacity));
        var target = stackalloc byte[capacity];
        var length = readlink(link, target, capacity);
        if (length < 0)
        {
            throw SystemCallFailure.FromLastError("cannot read the path of a descriptor");
        }

        return length < capacity
            ? System.Text.Encoding.UTF8.GetString(target, (int)length)
            : throw new Abstractions.SealingException("cannot read the path of a descriptor: it is longer than PATH_MAX");
    }

    /// <summary>fchmod(2).</summary>
    public static void ChangeMode(SafeFileHandle handle, int mode, string subject)
    {
        if (fchmod(handle, mode) != 0)
        {
            throw SystemCallFailure.FromLastError($"cannot change the mode of {subject}");
        }
    }

    /// <summary>unlinkat(2) of a file relative to the current directory; returns the errno, 0 on success.</summary>
    public static int TryUnlink(string path) => unlinkat(AtFdCwd, path, 0) == 0 ? 0 : SystemCallFailure.LastErrno;

    /// <summary>mkdtemp(3): a new directory, mode 0700, named <paramref name="prefix"/> and six random characters.</summary>
    public static unsafe string CreateUniqueDirectory(string parent, string prefix)
    {
        var template = System.Text.Encoding.UTF8.GetBytes(Path.Combine(parent, prefix + "XXXXXX") + "\0");
        fixed (byte* start = template)
        {
            if (mkdtemp(start) == null)
            {
                throw SystemCallFailure.FromLastError($"cannot create a directory in {parent}");
            }
        }

        return System.Text.Encoding.UTF8.GetString(template, 0, template.Length - 1);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial byte* mkdtemp(byte* template);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int open(byte* path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint readlink(byte* path, byte* buffer, nuint size);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int openat(SafeFileHandle dirfd, string path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fchmod(SafeFileHandle fd, int mode);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int unlinkat(int dirfd, string path, int flags);
}
