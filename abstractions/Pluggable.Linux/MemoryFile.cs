using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Pluggable.Linux;

/// <summary>memfd_create(2): anonymous files in shared memory that can be sealed.</summary>
public static partial class MemoryFile
{
#pragma warning disable CS1591 // The names are the documentation: memfd_create(2).
    public const uint CloseOnExec = 0x1;
    public const uint AllowSealing = 0x2;
    public const uint NoExecSeal = 0x8;
    public const uint Executable = 0x10;
#pragma warning restore CS1591

    /// <summary>memfd_create(2) with <paramref name="flags"/>; the errno is in the exception.</summary>
    public static SafeFileHandle Create(string name, uint flags, Func<int, string?>? hint = null)
    {
        var fd = memfd_create(name, flags);
        return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : throw SystemCallFailure.FromLastError("memfd_create failed", hint);
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int memfd_create(string name, uint flags);
}
