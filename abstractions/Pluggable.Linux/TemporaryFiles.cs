using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Pluggable.Linux;

/// <summary>Files that have no name from the moment anyone else could see them.</summary>
public static partial class TemporaryFiles
{
    /// <summary>
    /// open(<paramref name="directory"/>, O_TMPFILE|O_RDWR|O_EXCL|O_CLOEXEC, <paramref name="mode"/>): a file in
    /// the directory's filesystem that was never linked. O_EXCL forbids giving it a name later with linkat(2).
    /// Where the filesystem (or a kernel before 3.11) lacks O_TMPFILE, falls back to mkostemp(3) and unlinks at
    /// once: the kernel answers EOPNOTSUPP, or EISDIR when it reads O_TMPFILE as a plain O_DIRECTORY.
    /// </summary>
    public static SafeFileHandle CreateUnlinked(string directory, int mode)
    {
        var fd = open(directory, OpenFlags.TemporaryFile | OpenFlags.ReadWrite | OpenFlags.Exclusive | OpenFlags.CloseOnExec, mode);
        if (fd >= 0)
        {
            return new SafeFileHandle(fd, ownsHandle: true);
        }

        var errno = SystemCallFailure.LastErrno;
        return errno is Errno.EOPNOTSUPP or Errno.EISDIR
            ? CreateAndUnlink(directory, mode)
            : throw SystemCallFailure.Create(errno, $"cannot create an unnamed file in {directory}");
    }

    private static unsafe SafeFileHandle CreateAndUnlink(string directory, int mode)
    {
        var template = Encoding.UTF8.GetBytes(Path.Combine(directory, ".exeseal-XXXXXX") + "\0");
        int fd;
        fixed (byte* start = template)
        {
            fd = mkostemp(start, OpenFlags.CloseOnExec);
        }

        if (fd < 0)
        {
            throw SystemCallFailure.FromLastError($"cannot create a temporary file in {directory}");
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        var path = Encoding.UTF8.GetString(template, 0, template.Length - 1);
        var unlinked = Files.TryUnlink(path);
        if (unlinked != 0)
        {
            handle.Dispose();
            throw SystemCallFailure.Create(unlinked, $"cannot unlink the temporary file {path}");
        }

        try
        {
            Files.ChangeMode(handle, mode, path);
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int mkostemp(byte* template, int flags);
}
