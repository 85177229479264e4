using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Pluggable.Linux;

/// <summary>Replacing this process with a program held by a handle.</summary>
public static partial class Exec
{
    private const int AtEmptyPath = 0x1000;
    private const uint CloseRangeCloseOnExec = 0x4;
    private const int SignalPipe = 13;
    private const int SignalSetMask = 2;

    /// <summary>
    /// Prepares this process to become another program: every descriptor from 3 up is marked close-on-exec
    /// (so no plugin file, state directory or source handle leaks into the target, the lesson of
    /// CVE-2024-21626), SIGPIPE gets back its default action (.NET ignores it, and an ignored signal stays
    /// ignored across execve), and no signal stays blocked.
    /// </summary>
    public static unsafe void PrepareProcess()
    {
        if (close_range(3, uint.MaxValue, CloseRangeCloseOnExec) != 0)
        {
            throw SystemCallFailure.FromLastError("cannot mark descriptors close-on-exec");
        }

        // Both calls fail only for an invalid signal number or mask operation, which these constants are not.
        _ = signal(SignalPipe, 0);
        var emptySet = stackalloc ulong[16];
        _ = pthread_sigmask(SignalSetMask, emptySet, null);
    }

    /// <summary>
    /// execveat(fd, "", argv, envp, AT_EMPTY_PATH): runs the program behind <paramref name="program"/>. Returns
    /// only by throwing. A close-on-exec handle is fine for ELF programs; the kernel answers ENOENT for a
    /// script, whose interpreter would need to open /dev/fd/N after the descriptor is gone.
    /// </summary>
    public static unsafe void Execute(SafeFileHandle program, IReadOnlyList<string> arguments, IReadOnlyList<string> environment, string subject)
    {
        var argv = ToNative(arguments);
        var envp = ToNative(environment);
        try
        {
            execveat(program, "", argv, envp, AtEmptyPath);
            throw SystemCallFailure.FromLastError($"cannot execute {subject}", ExecHint);
        }
        finally
        {
            Free(argv);
            Free(envp);
        }
    }

    /// <summary>This process's environment as execve(2) wants it: <c>NAME=value</c> strings.</summary>
    public static IReadOnlyList<string> InheritedEnvironment()
    {
        // A loop over the non-generic enumerator: LINQ over DictionaryEntry, a value type, would be compiled by the
        // JIT on every exec, as ReadyToRun cannot precompile it.
        var environment = new List<string>();
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            environment.Add($"{entry.Key}={entry.Value}");
        }

        return environment;
    }

    private static string? ExecHint(int errno) => errno switch
    {
        Errno.ENOENT => "a script (#!) cannot run from a sealed object; seal its interpreter instead",
        Errno.ENOEXEC => "the file is not an executable this kernel can run",
        Errno.EACCES => "the sealed object is not executable here (noexec mount, or a security module refused it)",
        Errno.ETXTBSY => "a writable descriptor to the sealed object is still open",
        _ => null,
    };

    private static unsafe byte** ToNative(IReadOnlyList<string> strings)
    {
        var array = (byte**)NativeMemory.AllocZeroed((nuint)(strings.Count + 1), (nuint)sizeof(byte*));
        for (var i = 0; i < strings.Count; i++)
        {
            array[i] = (byte*)Marshal.StringToCoTaskMemUTF8(strings[i]);
        }

        return array;
    }

    private static unsafe void Free(byte** array)
    {
        for (var entry = array; *entry != null; entry++)
        {
            Marshal.FreeCoTaskMem((nint)(*entry));
        }

        NativeMemory.Free(array);
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int execveat(SafeFileHandle dirfd, string path, byte** argv, byte** envp, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close_range(uint first, uint last, uint flags);

    [LibraryImport("libc")]
    private static partial nint signal(int signalNumber, nint handler);

    [LibraryImport("libc")]
    private static unsafe partial int pthread_sigmask(int how, ulong* set, ulong* oldSet);
}
