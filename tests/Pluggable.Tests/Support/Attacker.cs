using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Pluggable.Tests.Support;

/// <summary>
/// The write paths an attacker tries on a sealed object. Each returns the errno the kernel answered, or 0 when
/// the write went through.
/// </summary>
public static partial class Attacker
{
    private const int ProtRead = 1;
    private const int ProtWrite = 2;
    private const int MapShared = 1;

    public static unsafe int Write(SafeFileHandle handle)
    {
        byte evil = 0x42;
        return pwrite(handle, &evil, 1, 0) < 0 ? Marshal.GetLastPInvokeError() : 0;
    }

    public static int Truncate(SafeFileHandle handle) =>
        ftruncate(handle, 0) != 0 ? Marshal.GetLastPInvokeError() : 0;

    public static int MapSharedWritable(SafeFileHandle handle, long size)
    {
        var address = mmap(0, (nuint)size, ProtRead | ProtWrite, MapShared, handle, 0);
        if (address == -1)
        {
            return Marshal.GetLastPInvokeError();
        }

        _ = munmap(address, (nuint)size);
        return 0;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint pwrite(SafeFileHandle fd, byte* buffer, nuint count, long offset);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int ftruncate(SafeFileHandle fd, long length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint mmap(nint address, nuint length, int protection, int flags, SafeFileHandle fd, long offset);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int munmap(nint address, nuint length);
}
