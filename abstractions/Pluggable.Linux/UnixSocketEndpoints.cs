using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Pluggable.Linux;

/// <summary>Unix stream sockets bound to a path: listen, accept, connect; and a listener inherited from systemd.</summary>
public static partial class UnixSockets
{
    private const int SocketOptionSendTimeout = 21;
    private const int ShutdownWrite = 1;
    private const int FSetDescriptorFlags = 2;
    private const int DescriptorCloseOnExec = 1;

    // sun_path of struct sockaddr_un holds 108 bytes, the terminating NUL included.
    private const int MaxPathBytes = 107;

    /// <summary>
    /// socket, bind and listen on <paramref name="path"/>; the socket file is created with <paramref name="mode"/>
    /// (less the umask), so there is no moment when others may connect.
    /// </summary>
    public static SafeFileHandle Listen(string path, int mode, int backlog)
    {
        var listener = NewStreamSocket();
        try
        {
            var address = AddressOf(path);

            // unix_bind(2) creates the file with the socket inode's own mode less the umask: an fchmod before
            // bind sets it atomically, where a chmod after bind would leave a window.
            if (fchmod(listener, mode) != 0)
            {
                throw SystemCallFailure.FromLastError($"cannot set the mode of the socket for {path}");
            }

            if (bind(listener, address, address.Length) != 0)
            {
                throw SystemCallFailure.FromLastError($"cannot bind a unix socket at {path}", errno => errno switch
                {
                    Errno.EADDRINUSE => "a file is already there; remove it if no daemon is using it",
                    Errno.ENOENT => "its directory does not exist",
                    _ => null,
                });
            }

            if (listen(listener, backlog) != 0)
            {
                throw SystemCallFailure.FromLastError($"cannot listen on {path}");
            }

            return listener;
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    /// <summary>accept4(SOCK_CLOEXEC): the next connection, waiting for one. EINVAL means the socket does not listen.</summary>
    public static SafeFileHandle Accept(SafeHandle listener)
    {
        int connection;
        do
        {
            connection = accept4(listener, 0, 0, SocketCloseOnExec);
        }
        while (connection < 0 && SystemCallFailure.LastErrno is Errno.EINTR or Errno.ECONNABORTED);

        return connection >= 0 ? new SafeFileHandle(connection, ownsHandle: true) : throw SystemCallFailure.FromLastError("cannot accept a connection");
    }

    /// <summary>
    /// Connects to the socket at <paramref name="path"/>, waiting at most <paramref name="sendTimeout"/> when its
    /// queue of connections is full; that timeout stays set for sending. Returns the errno instead of throwing for
    /// the answers that mean nobody is accepting there (ENOENT, ECONNREFUSED, ENOTSOCK, ENOTDIR, EAGAIN), so the
    /// caller can choose another way.
    /// </summary>
    public static int TryConnect(string path, TimeSpan sendTimeout, out SafeFileHandle? connection)
    {
        connection = null;
        var address = AddressOf(path);
        var socket = NewStreamSocket();
        int errno;
        try
        {
            // A unix stream connect(2) waits for room in the listener's queue for as long as SO_SNDTIMEO allows.
            SetSendTimeout(socket, sendTimeout);
            int result;
            do
            {
                result = connect(socket, address, address.Length);
            }
            while (result != 0 && SystemCallFailure.LastErrno == Errno.EINTR);

            if (result == 0)
            {
                connection = socket;
                return 0;
            }

            errno = SystemCallFailure.LastErrno;
        }
        finally
        {
            if (connection is null)
            {
                socket.Dispose();
            }
        }

        return errno is Errno.ENOENT or Errno.ECONNREFUSED or Errno.ENOTSOCK or Errno.ENOTDIR or Errno.EAGAIN
            ? errno
            : throw SystemCallFailure.Create(errno, $"cannot connect to {path}", errno => errno is Errno.EACCES or Errno.EPERM ? "only root may connect to it" : null);
    }

    /// <summary>
    /// The listening socket systemd passed as descriptor 3 (sd_listen_fds(3)), when <c>LISTEN_PID</c> names this
    /// process and <c>LISTEN_FDS</c> is 1; otherwise null. It is made close-on-exec, as systemd leaves it inheritable.
    /// </summary>
    public static SafeFileHandle? FromSystemd()
    {
        const int FirstPassedDescriptor = 3;
        if (Environment.GetEnvironmentVariable("LISTEN_PID") != Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)
            || Environment.GetEnvironmentVariable("LISTEN_FDS") != "1")
        {
            return null;
        }

        var listener = new SafeFileHandle(FirstPassedDescriptor, ownsHandle: true);
        if (fcntl(listener, FSetDescriptorFlags, DescriptorCloseOnExec) != 0)
        {
            listener.Dispose();
            throw SystemCallFailure.FromLastError("cannot mark the socket systemd passed close-on-exec");
        }

        return listener;
    }

    /// <summary>SO_SNDTIMEO: a peer that stops reading costs at most <paramref name="timeout"/> per send (then EAGAIN).</summary>
    public static unsafe void SetSendTimeout(SafeHandle socket, TimeSpan timeout)
    {
        var value = stackalloc long[2];
        value[0] = (long)timeout.TotalSeconds;
        value[1] = timeout.Microseconds + (timeout.Milliseconds * 1000L);
        if (setsockopt(socket, SocketLevel, SocketOptionSendTimeout, value, 16) != 0)
        {
            throw SystemCallFailure.FromLastError("cannot set the socket's send timeout");
        }
    }

    /// <summary>shutdown(SHUT_WR): tells the peer this end has said everything (it reads end of file).</summary>
    public static void FinishSending(SafeHandle socket)
    {
        if (shutdown(socket, ShutdownWrite) != 0)
        {
            throw SystemCallFailure.FromLastError("cannot shut down the sending side of the socket");
        }
    }

    private static unsafe SafeFileHandle NewStreamSocket()
    {
        var socket = socket_(UnixFamily, StreamType | SocketCloseOnExec, 0);
        return socket >= 0 ? new SafeFileHandle(socket, ownsHandle: true) : throw SystemCallFailure.FromLastError("cannot create a unix socket");
    }

    private static byte[] AddressOf(string path)
    {
        var length = Encoding.UTF8.GetByteCount(path);
        if (path.Length == 0 || length > MaxPathBytes)
        {
            throw new Abstractions.SealingException($"a unix socket path must be 1 to {MaxPathBytes} bytes long; {path} is {length}");
        }

        var address = new byte[2 + MaxPathBytes + 1];
        BitConverter.TryWriteBytes(address.AsSpan(0, 2), (ushort)UnixFamily);
        Encoding.UTF8.GetBytes(path, address.AsSpan(2));
        return address;
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int socket_(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int bind(SafeHandle socket, byte[] address, int length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int listen(SafeHandle socket, int backlog);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int accept4(SafeHandle socket, nint address, nint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int connect(SafeHandle socket, byte[] address, int length);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int setsockopt(SafeHandle socket, int level, int name, void* value, uint length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int shutdown(SafeHandle socket, int how);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fchmod(SafeHandle fd, int mode);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fcntl(SafeHandle fd, int command, int argument);
}
