using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Pluggable.Linux;

/// <summary>Replacing a file so that readers see either the old or the new contents, never a torn one.</summary>
public static partial class AtomicFile
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkFollow = 0x400;

    /// <summary>
    /// Writes <paramref name="contents"/> to <paramref name="path"/> (mode 0644): into an unnamed O_TMPFILE in the same
    /// directory, fsync, link it under a temporary name, rename it over the target, fsync the directory. A kill
    /// before the link leaves nothing behind: the kernel frees an unnamed file with its last descriptor. Where
    /// the filesystem has no O_TMPFILE, a named temporary file is used instead.
    /// </summary>
    public static void Replace(string path, ReadOnlySpan<byte> contents)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}");
        using (var file = CreateUnnamedOrNamed(directory, temporary, out var named))
        {
            try
            {
                RandomAccess.Write(file, contents, 0);
                Sync(file, full);
                if (!named && linkat(AtFdCwd, Files.ProcPath(file), AtFdCwd, temporary, AtSymlinkFollow) != 0)
                {
                    throw SystemCallFailure.FromLastError($"cannot write {full}");
                }
            }
            catch
            {
                if (named)
                {
                    _ = Files.TryUnlink(temporary);
                }

                throw;
            }
        }

        if (rename(temporary, full) != 0)
        {
            var failure = SystemCallFailure.FromLastError($"cannot replace {full}");
            _ = Files.TryUnlink(temporary);
            throw failure;
        }

        using var parent = Files.Open(directory, OpenFlags.ReadOnly | OpenFlags.Directory | OpenFlags.CloseOnExec);
        Sync(parent, directory);
    }

    private static SafeFileHandle CreateUnnamedOrNamed(string directory, string temporary, out bool named)
    {
        const int mode = 0x1a4; // 0644
        try
        {
            named = false;
            return Files.Open(directory, OpenFlags.TemporaryFile | OpenFlags.WriteOnly | OpenFlags.CloseOnExec, mode);
        }
        catch (Abstractions.SealingException error) when (error.Errno is Errno.EOPNOTSUPP or Errno.EISDIR)
        {
            named = true;
            return Files.Open(temporary, OpenFlags.Create | OpenFlags.Exclusive | OpenFlags.WriteOnly | OpenFlags.CloseOnExec, mode);
        }
    }

    private static void Sync(SafeFileHandle handle, string subject)
    {
        if (fsync(handle) != 0)
        {
            throw SystemCallFailure.FromLastError($"cannot flush {subject} to disk");
        }
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int linkat(int oldDirectory, string oldPath, int newDirectory, string newPath, int flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int rename(string oldPath, string newPath);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(SafeFileHandle fd);
}
