using Microsoft.Win32.SafeHandles;
using Pluggable.Abstractions;
using Pluggable.Linux;

namespace Pluggable.Runtime.Service;

/// <summary>The daemon's listening socket: the one systemd passed, or one it makes at a path and removes on exit.</summary>
public sealed class SealServiceSocket : IDisposable
{
    /// <summary>Where the daemon listens and the client connects unless told otherwise.</summary>
    public const string DefaultPath = "/run/exeseal/exeseald.sock";

    // Root only: the daemon hands out descriptors of root's executables, and checks SO_PEERCRED as well.
    private const int OwnerReadWrite = 0x180; // 0600
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const int Backlog = 128;

    private readonly string? createdPath;

    private SealServiceSocket(SafeFileHandle listener, string description, string? createdPath)
    {
        Listener = listener;
        Description = description;
        this.createdPath = createdPath;
    }

    /// <summary>The listening socket.</summary>
    public SafeFileHandle Listener { get; }

    /// <summary>Where it listens, for the log.</summary>
    public string Description { get; }

    /// <summary>
    /// The socket systemd passed (socket activation), else a new one at <paramref name="path"/>. A socket file
    /// left there by a daemon that died is replaced; one that a live daemon answers on is not.
    /// </summary>
    public static SealServiceSocket Open(string path)
    {
        if (UnixSockets.FromSystemd() is { } inherited)
        {
            return new SealServiceSocket(inherited, "the socket systemd passed", null);
        }

        var full = Path.GetFullPath(path);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full)!, OwnerOnlyDirectory);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new BadInputException($"cannot create the directory of the socket {full}: {error.Message}");
        }

        RemoveStale(full);
        try
        {
            return new SealServiceSocket(UnixSockets.Listen(full, OwnerReadWrite, Backlog), full, full);
        }
        catch (SealingException error)
        {
            throw new BadInputException(error.Message);
        }
    }

    private static void RemoveStale(string path)
    {
        FileStatus status;
        try
        {
            status = FileStatus.Of(path, followLinks: false);
        }
        catch (SealingException error) when (error.Errno == Errno.ENOENT)
        {
            return;
        }

        if (status.Kind != "socket")
        {
            throw new BadInputException($"{path} exists and is a {status.Kind}, not a socket; remove it or choose another --socket");
        }

        // EAGAIN: a listener whose queue is full is a live daemon too.
        var answer = UnixSockets.TryConnect(path, TimeSpan.FromSeconds(1), out var live);
        live?.Dispose();
        if (answer is 0 or Errno.EAGAIN)
        {
            throw new BadInputException($"another exeseald already listens at {path}");
        }

        _ = Files.TryUnlink(path);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Listener.Dispose();
        if (createdPath is not null)
        {
            _ = Files.TryUnlink(createdPath);
        }
    }
}
