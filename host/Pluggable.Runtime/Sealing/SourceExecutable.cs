using Microsoft.Win32.SafeHandles;
using Pluggable.Abstractions;
using Pluggable.Linux;

namespace Pluggable.Runtime.Sealing;

/// <summary>The executable to seal, opened read-only once; every check and every provider uses this handle.</summary>
public sealed class SourceExecutable : IDisposable
{
    private const int AnyExecuteBit = 0x49; // 0111

    private SourceExecutable(string path, SafeFileHandle handle, FileStatus status)
    {
        Path = path;
        Handle = handle;
        Status = status;
    }

    /// <summary>The path as the user gave it.</summary>
    public string Path { get; }

    /// <summary>A read-only handle to the file.</summary>
    public SafeFileHandle Handle { get; }

    /// <summary>The file's status when it was opened.</summary>
    public FileStatus Status { get; }

    /// <summary>The file's size when it was opened.</summary>
    public long Size => Status.Size;

    /// <summary>
    /// Opens <paramref name="path"/> and checks that it is a non-empty regular file with an execute bit.
    /// Throws <see cref="BadInputException"/> with one sentence otherwise.
    /// </summary>
    public static SourceExecutable Open(string path) => Open(path, long.MaxValue);

    /// <summary>
    /// <see cref="Open(string)"/>, refusing a file of more than <paramref name="maxBytes"/> (configuration key
    /// <c>maxSourceBytes</c>): every copying provider holds a whole copy in memory or on disk.
    /// </summary>
    public static SourceExecutable Open(string path, long maxBytes)
    {
        if (string.IsNullOrEmpty(path))
        {
            throw new BadInputException("no executable given: name the file to seal");
        }

        SafeFileHandle handle;
        try
        {
            // O_NONBLOCK: opening a fifo must not wait for a writer; it is refused below as not a regular file.
            handle = Files.Open(path, OpenFlags.ReadOnly | OpenFlags.NonBlocking | OpenFlags.CloseOnExec);
        }
        catch (SealingException error)
        {
            throw new BadInputException(error.Errno switch
            {
                Errno.ENOENT => $"{path}: no such file",
                Errno.EACCES => $"{path}: permission denied; exeseal must be able to read the file it seals",
                Errno.ENOTDIR => $"{path}: a component of the path is not a directory",
                Errno.ELOOP => $"{path}: too many levels of symbolic links",
                _ => error.Message,
            });
        }

        return Checked(path, handle, maxBytes);
    }

    /// <summary>
    /// The file behind <paramref name="descriptor"/>, which another process opened and passed over a socket, with the
    /// checks of <see cref="Open(string, long)"/>. It is re-opened read-only through /proc, so a descriptor opened
    /// O_PATH works and no file offset is shared with the sender; <paramref name="descriptor"/> stays the caller's.
    /// </summary>
    public static SourceExecutable Adopt(SafeFileHandle descriptor, string path, long maxBytes)
    {
        SafeFileHandle handle;
        try
        {
            handle = Files.Reopen(descriptor, OpenFlags.ReadOnly | OpenFlags.NonBlocking | OpenFlags.CloseOnExec);
        }
        catch (SealingException error)
        {
            throw new BadInputException($"{path}: the descriptor passed for it cannot be read: {error.Message}");
        }

        return Checked(path, handle, maxBytes);
    }

    private static SourceExecutable Checked(string path, SafeFileHandle handle, long maxBytes)
    {
        try
        {
            var status = FileStatus.Of(handle, path);
            var problem = status switch
            {
                { IsDirectory: true } => $"{path} is a directory, not an executable file",
                { IsRegularFile: false } => $"{path} is a {status.Kind}, not a regular file",
                { Size: 0 } => $"{path} is empty: there is nothing to seal",
                _ when status.Size > maxBytes =>
                    $"{path} is {status.Size} bytes, more than maxSourceBytes ({maxBytes}); raise maxSourceBytes in the configuration to seal it",
                _ when (status.Mode & AnyExecuteBit) == 0 =>
                    $"{path} is not executable (mode {Convert.ToString(status.Mode & 0xFFF, 8)}); exeseal seals programs",
                _ => null,
            };
            return problem is null ? new SourceExecutable(path, handle, status) : throw new BadInputException(problem);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => Handle.Dispose();
}
