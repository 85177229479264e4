using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Pluggable.Linux;

/// <summary>File seals (fcntl F_ADD_SEALS / F_GET_SEALS) of a memfd.</summary>
[Flags]
public enum FileSeals
{
    /// <summary>No seal.</summary>
    None = 0,

    /// <summary>F_SEAL_SEAL: no further seal can be added.</summary>
    Seal = 0x1,

    /// <summary>F_SEAL_SHRINK: the file cannot shrink.</summary>
    Shrink = 0x2,

    /// <summary>F_SEAL_GROW: the file cannot grow.</summary>
    Grow = 0x4,

    /// <summary>F_SEAL_WRITE: the contents cannot change.</summary>
    Write = 0x8,

    /// <summary>F_SEAL_FUTURE_WRITE: no new writable mapping or write.</summary>
    FutureWrite = 0x10,

    /// <summary>F_SEAL_EXEC (Linux 6.3): the execute bits cannot change.</summary>
    Exec = 0x20,

    /// <summary>
    /// The four seals runc, crun and youki look for on /proc/self/exe to decide that they already run from a
    /// sealed copy. crun and runc before 1.2 compare for exactly this value.
    /// </summary>
    RuntimeCloned = Seal | Shrink | Grow | Write,
}

/// <summary>Adding and reading seals.</summary>
public static partial class Seals
{
    private const int FAddSeals = 1033;
    private const int FGetSeals = 1034;

    /// <summary>Adds <paramref name="seals"/> to the memfd behind <paramref name="handle"/>.</summary>
    public static void Add(SafeFileHandle handle, FileSeals seals, string subject)
    {
        if (fcntl(handle, FAddSeals, (int)seals) != 0)
        {
            throw SystemCallFailure.FromLastError($"cannot seal {subject}");
        }
    }

    /// <summary>
    /// The seals of the memfd behind <paramref name="handle"/>, or null when it is not a memfd. Every tmpfs file
    /// answers F_GET_SEALS too (with F_SEAL_SEAL alone: it can never be sealed), so the answer alone does not make
    /// a file a memfd; the kernel names memfds "/memfd:NAME" in /proc/self/fd, and nothing else so.
    /// </summary>
    public static FileSeals? OfMemfd(SafeFileHandle handle)
    {
        var seals = fcntl(handle, FGetSeals, 0);
        return seals >= 0 && Files.PathOf(handle).StartsWith("/memfd:", StringComparison.Ordinal) ? (FileSeals)seals : null;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fcntl(SafeFileHandle fd, int command, int argument);
}
