using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Pluggable.Linux;

/// <summary>
/// poll(2) for input, and an eventfd(2) to wake a poller: how a thread waiting on a socket is stopped without
/// touching the socket, which may be systemd's and must keep working for the next daemon it starts.
/// </summary>
public static partial class Readiness
{
    private const short Input = 0x1;
    private const int EventCloseOnExec = 0x80000;

    /// <summary>
    /// Waits until one of <paramref name="handles"/> has input, end of file or an error, for at most
    /// <paramref name="timeout"/> (<see cref="Timeout.InfiniteTimeSpan"/>: for ever). Returns the index of the first
    /// that is ready, or -1 when the time ran out.
    /// </summary>
    public static unsafe int WaitForInput(TimeSpan timeout, params ReadOnlySpan<SafeHandle> handles)
    {
        var entries = stackalloc PollEntry[handles.Length];
        Span<bool> added = stackalloc bool[handles.Length];
        try
        {
            for (var i = 0; i < handles.Length; i++)
            {
                handles[i].DangerousAddRef(ref added[i]);
                entries[i] = new PollEntry { Descriptor = handles[i].DangerousGetHandle().ToInt32(), Events = Input };
            }

            var deadline = timeout == Timeout.InfiniteTimeSpan ? long.MaxValue : Environment.TickCount64 + (long)Math.Ceiling(timeout.TotalMilliseconds);
            while (true)
            {
                var remaining = deadline == long.MaxValue ? -1 : (int)Math.Clamp(deadline - Environment.TickCount64, 0, int.MaxValue);
                var ready = poll(entries, (nuint)handles.Length, remaining);
                if (ready > 0)
                {
                    for (var i = 0; i < handles.Length; i++)
                    {
                        if (entries[i].ReturnedEvents != 0)
                        {
                            return i;
                        }
                    }
                }

                if (ready == 0)
                {
                    return -1;
                }

                if (SystemCallFailure.LastErrno != Errno.EINTR)
                {
                    throw SystemCallFailure.FromLastError("cannot wait for input on a descriptor");
                }
            }
        }
        finally
        {
            for (var i = 0; i < handles.Length; i++)
            {
                if (added[i])
                {
                    handles[i].DangerousRelease();
                }
            }
        }
    }

    /// <summary>eventfd(0, EFD_CLOEXEC): a descriptor that becomes readable once <see cref="Signal"/> is called.</summary>
    public static SafeFileHandle CreateWakeup()
    {
        var wakeup = eventfd(0, EventCloseOnExec);
        return wakeup >= 0 ? new SafeFileHandle(wakeup, ownsHandle: true) : throw SystemCallFailure.FromLastError("cannot create an eventfd");
    }

    /// <summary>Makes <paramref name="wakeup"/> readable. Safe from a signal handler's thread; errors are moot (it is already readable).</summary>
    public static unsafe void Signal(SafeFileHandle wakeup)
    {
        var one = 1UL;
        _ = write(wakeup, &one, sizeof(ulong));
    }

    // struct pollfd.
    [StructLayout(LayoutKind.Sequential)]
    private struct PollEntry
    {
        public int Descriptor;
        public short Events;
        public short ReturnedEvents;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int poll(PollEntry* entries, nuint count, int timeoutMilliseconds);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int eventfd(uint initial, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint write(SafeFileHandle fd, void* buffer, nuint count);
}
