using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Pluggable.Linux;

/// <summary>The identity of the process at the other end of a unix socket, as the kernel recorded it at connect(2).</summary>
/// <param name="ProcessId">Its process ID, in this process's pid namespace (0 when it is not visible there).</param>
/// <param name="UserId">Its effective user ID when it connected.</param>
/// <param name="GroupId">Its effective group ID when it connected.</param>
public readonly record struct PeerCredentials(int ProcessId, uint UserId, uint GroupId);

/// <summary>
/// Unix stream sockets that carry descriptors (SCM_RIGHTS) and say who is at the other end (SO_PEERCRED): what a
/// sealing daemon and its client need. .NET's Socket has neither ancillary data nor descriptor passing.
/// </summary>
public static partial class UnixSockets
{
    private const int UnixFamily = 1;
    private const int StreamType = 1;
    private const int SocketCloseOnExec = 0x80000;
    private const int SocketLevel = 1;
    private const int PeerCredentialsOption = 17;
    private const int RightsMessage = 1;
    private const int NoSignal = 0x4000;
    private const int ReceiveCloseOnExec = 0x40000000;
    private const int ControlTruncated = 0x8;

    // CMSG_SPACE(sizeof(int)) and CMSG_LEN(sizeof(int)) on 64-bit Linux: a 16-byte cmsghdr, then the descriptor.
    private const int ControlHeaderBytes = 16;
    private const int ControlSpace = 24;
    private const int ControlLength = 20;

    // Room for eight descriptors when receiving: a peer that sends several gets all of them closed here. Any
    // beyond the room are never installed in this process (the kernel drops them and sets MSG_CTRUNC).
    private const int ReceiveControlSpace = ControlHeaderBytes + (8 * sizeof(int));

    /// <summary>socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC): two connected ends.</summary>
    public static unsafe (SafeFileHandle First, SafeFileHandle Second) CreatePair()
    {
        var ends = stackalloc int[2];
        if (socketpair(UnixFamily, StreamType | SocketCloseOnExec, 0, ends) != 0)
        {
            throw SystemCallFailure.FromLastError("cannot create a socket pair");
        }

        return (new SafeFileHandle(ends[0], ownsHandle: true), new SafeFileHandle(ends[1], ownsHandle: true));
    }

    /// <summary>getsockopt(SO_PEERCRED): who connected to <paramref name="socket"/>. The kernel fills it in; the peer cannot lie.</summary>
    public static unsafe PeerCredentials PeerOf(SafeHandle socket)
    {
        var credentials = stackalloc int[3];
        var length = 12u;
        if (getsockopt(socket, SocketLevel, PeerCredentialsOption, credentials, &length) != 0)
        {
            throw SystemCallFailure.FromLastError("cannot read the credentials of the socket's peer");
        }

        return new PeerCredentials(credentials[0], (uint)credentials[1], (uint)credentials[2]);
    }

    /// <summary>
    /// sendmsg(2) of <paramref name="message"/> (at least one byte: a descriptor cannot travel alone) with
    /// <paramref name="descriptor"/>, when there is one, attached as SCM_RIGHTS. The receiver gets its own
    /// descriptor to the same open file; this one stays open.
    /// </summary>
    public static unsafe void Send(SafeHandle socket, ReadOnlySpan<byte> message, SafeFileHandle? descriptor)
    {
        if (message.IsEmpty)
        {
            throw new ArgumentException("a descriptor needs at least one byte of message to travel with", nameof(message));
        }

        var added = false;
        descriptor?.DangerousAddRef(ref added);
        try
        {
            var control = stackalloc byte[ControlSpace];
            new Span<byte>(control, ControlSpace).Clear();
            *(ulong*)control = ControlLength;
            *(int*)(control + 8) = SocketLevel;
            *(int*)(control + 12) = RightsMessage;
            *(int*)(control + 16) = descriptor is null ? -1 : descriptor.DangerousGetHandle().ToInt32();
            fixed (byte* bytes = message)
            {
                var vector = new IoVector { Base = bytes, Length = (nuint)message.Length };
                var header = new MessageHeader
                {
                    Vectors = &vector, VectorCount = 1, Control = descriptor is null ? null : control, ControlLength = descriptor is null ? 0u : ControlSpace,
                };
                nint sent;
                do
                {
                    sent = sendmsg(socket, &header, NoSignal);
                }
                while (sent < 0 && SystemCallFailure.LastErrno == Errno.EINTR);

                if (sent < 0)
                {
                    throw SystemCallFailure.FromLastError("cannot send a descriptor");
                }

                if (sent != message.Length)
                {
                    throw new Abstractions.SealingException($"the socket took {sent} of {message.Length} bytes; the peer is gone");
                }
            }
        }
        finally
        {
            if (added)
            {
                descriptor!.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// recvmsg(2) into <paramref name="buffer"/>: the number of bytes received (0 when the peer closed) and the
    /// descriptor that came with them, close-on-exec, or null when none did. More than one descriptor with the same
    /// bytes is refused, and every one of them closed.
    /// </summary>
    public static unsafe int Receive(SafeHandle socket, Span<byte> buffer, out SafeFileHandle? descriptor)
    {
        descriptor = null;
        var control = stackalloc byte[ReceiveControlSpace];
        new Span<byte>(control, ReceiveControlSpace).Clear();
        fixed (byte* bytes = buffer)
        {
            var vector = new IoVector { Base = bytes, Length = (nuint)buffer.Length };
            var header = new MessageHeader { Vectors = &vector, VectorCount = 1, Control = control, ControlLength = ReceiveControlSpace };
            nint received;
            do
            {
                received = recvmsg(socket, &header, ReceiveCloseOnExec);
            }
            while (received < 0 && SystemCallFailure.LastErrno == Errno.EINTR);

            if (received < 0)
            {
                throw SystemCallFailure.FromLastError("cannot receive from the socket");
            }

            var first = TakeDescriptors(control, (int)header.ControlLength, out var count);
            if (count > 1 || (header.Flags & ControlTruncated) != 0)
            {
                first?.Dispose();
                throw new Abstractions.SealingException("the peer sent more than one descriptor with a message; refused");
            }

            descriptor = first;
            return (int)received;
        }
    }

    // Walks the control messages (CMSG_FIRSTHDR, CMSG_NXTHDR) through every SCM_RIGHTS descriptor the kernel
    // installed: the first is returned, every other one is closed here, and count says how many there were.
    private static unsafe SafeFileHandle? TakeDescriptors(byte* control, int length, out int count)
    {
        SafeFileHandle? first = null;
        count = 0;
        for (var offset = 0; offset + ControlHeaderBytes <= length;)
        {
            var messageLength = (int)*(ulong*)(control + offset);
            if (messageLength < ControlHeaderBytes || offset + messageLength > length)
            {
                break;
            }

            if (*(int*)(control + offset + 8) == SocketLevel && *(int*)(control + offset + 12) == RightsMessage)
            {
                for (var at = offset + ControlHeaderBytes; at + sizeof(int) <= offset + messageLength; at += sizeof(int))
                {
                    var received = new SafeFileHandle(*(int*)(control + at), ownsHandle: true);
                    if (count++ == 0)
                    {
                        first = received;
                    }
                    else
                    {
                        received.Dispose();
                    }
                }
            }

            offset += (messageLength + 7) & ~7;
        }

        return first;
    }

    // struct iovec and struct msghdr of 64-bit Linux.
    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct IoVector
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVector* Vectors;
        public nuint VectorCount;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int socketpair(int domain, int type, int protocol, int* ends);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int getsockopt(SafeHandle socket, int level, int name, void* value, uint* length);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint sendmsg(SafeHandle socket, MessageHeader* message, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint recvmsg(SafeHandle socket, MessageHeader* message, int flags);
}
