using System.Buffers;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Pluggable.Linux;

/// <summary>Copies the whole of a file into another, inside the kernel where it can.</summary>
public static partial class FileCopy
{
    private const int FallbackBufferSize = 1 << 20;

    /// <summary>
    /// Copies <paramref name="size"/> bytes from offset 0 of <paramref name="source"/> to the current position of
    /// <paramref name="destination"/>, without moving the source's file position. Uses sendfile(2):
    /// copy_file_range(2) into a memfd fails with EXDEV on current kernels. Falls back to pread/write where
    /// sendfile is refused with EINVAL or ENOSYS. Throws when the source ends early: it changed during the copy.
    /// </summary>
    public static void Copy(SafeFileHandle source, SafeFileHandle destination, long size, string subject)
    {
        long offset = 0;
        while (offset < size)
        {
            var sent = sendfile(destination, source, ref offset, (nuint)Math.Min(size - offset, 1L << 30));
            if (sent < 0)
            {
                var errno = SystemCallFailure.LastErrno;
                if (errno == Errno.EINTR)
                {
                    continue;
                }

                if (offset == 0 && errno is Errno.EINVAL or Errno.ENOSYS)
                {
                    CopyThroughBuffer(source, destination, size, subject);
                    return;
                }

                throw SystemCallFailure.Create(errno, $"cannot copy {subject}");
            }

            if (sent == 0)
            {
                throw ChangedDuringCopy(subject, offset, size);
            }
        }

        EnsureSizeUnchanged(source, size, subject);
    }

    /// <summary>
    /// sendfile(2), repeated only when interrupted: at most <paramref name="count"/> bytes from
    /// <paramref name="offset"/> of <paramref name="source"/> (which advances) to <paramref name="destination"/>.
    /// Returns the bytes sent, 0 at the end of the source. The bare system call, for measuring
    /// <see cref="Copy"/> against it; sealing code uses <see cref="Copy"/>, which also checks the source's size.
    /// </summary>
    public static long Send(SafeFileHandle source, SafeFileHandle destination, ref long offset, long count, string subject)
    {
        while (true)
        {
            var sent = sendfile(destination, source, ref offset, (nuint)count);
            if (sent >= 0)
            {
                return sent;
            }

            if (SystemCallFailure.LastErrno != Errno.EINTR)
            {
                throw SystemCallFailure.FromLastError($"cannot copy {subject}");
            }
        }
    }

    private static void EnsureSizeUnchanged(SafeFileHandle source, long size, string subject)
    {
        var now = FileStatus.Of(source, subject).Size;
        if (now != size)
        {
            throw new Abstractions.SealingException(
                $"{subject} changed size while it was being copied ({size} bytes, then {now}); retry when it is no longer being written");
        }
    }

    private static void CopyThroughBuffer(SafeFileHandle source, SafeFileHandle destination, long size, string subject)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(FallbackBufferSize);
        try
        {
            long offset = 0;
            while (offset < size)
            {
                var read = RandomAccess.Read(source, buffer.AsSpan(0, (int)Math.Min(buffer.Length, size - offset)), offset);
                if (read == 0)
                {
                    throw ChangedDuringCopy(subject, offset, size);
                }

                WriteAll(destination, buffer.AsSpan(0, read), subject);
                offset += read;
            }

            EnsureSizeUnchanged(source, size, subject);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static unsafe void WriteAll(SafeFileHandle destination, ReadOnlySpan<byte> bytes, string subject)
    {
        fixed (byte* start = bytes)
        {
            var done = 0;
            while (done < bytes.Length)
            {
                var written = write(destination, start + done, (nuint)(bytes.Length - done));
                if (written < 0)
                {
                    if (SystemCallFailure.LastErrno == Errno.EINTR)
                    {
                        continue;
                    }

                    throw SystemCallFailure.FromLastError($"cannot copy {subject}");
                }

                done += (int)written;
            }
        }
    }

    private static Abstractions.SealingException ChangedDuringCopy(string subject, long offset, long size) =>
        new($"{subject} shrank while it was being copied (ended at byte {offset} of {size}); retry when it is no longer being written");

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint sendfile(SafeFileHandle outFd, SafeFileHandle inFd, ref long offset, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint write(SafeFileHandle fd, byte* buffer, nuint count);
}
