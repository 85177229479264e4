using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Pluggable.Linux;

/// <summary>faccessat(2): what the kernel would allow this process to do with a file.</summary>
public static partial class Access
{
    private const int AtFdCwd = -100;
    private const int ExecuteOk = 1;
    private const int AtEffectiveIds = 0x200;

    /// <summary>
    /// Whether this process may execute the file behind <paramref name="handle"/>: 0, or the errno. The check
    /// goes through <c>/proc/self/fd/N</c>, which resolves to the file on its own mount, so a noexec mount
    /// answers EACCES even for root, as execve(2) would.
    /// </summary>
    public static int CheckExecutable(SafeFileHandle handle) =>
        faccessat(AtFdCwd, Files.ProcPath(handle), ExecuteOk, AtEffectiveIds) == 0 ? 0 : SystemCallFailure.LastErrno;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int faccessat(int directory, string path, int mode, int flags);
}
