using Microsoft.Win32.SafeHandles;
using Pluggable.Abstractions;
using Pluggable.Linux;
using Pluggable.Runtime.Sealing;

namespace Pluggable.Runtime.Service;

/// <summary>What the daemon made of a request: a sealed descriptor, or the CLI's exit code and sentence.</summary>
/// <param name="Reply">The daemon's reply.</param>
/// <param name="Sealed">The sealed object, when <see cref="SealServiceReply.ExitCode"/> is 0; the caller owns it.</param>
public sealed record SealServiceAnswer(SealServiceReply Reply, SafeFileHandle? Sealed);

/// <summary>Asks a running daemon to seal an executable this process has opened.</summary>
public static class SealServiceClient
{
    // Longer than a chain of providers at the default sealTimeouts takes to give up: a daemon that is stopped
    // (SIGSTOP, a debugger) must not hold a container start for ever; the CLI then seals instead.
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromMinutes(2);

    // A daemon whose queue of connections stays full must not hold a container start either; the client falls
    // back to the CLI. The kernel queues a connection without the daemon, so a hung daemon costs AnswerTimeout.
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Sends <paramref name="source"/>'s descriptor to the daemon at <paramref name="socketPath"/> and returns its
    /// answer; returns null and the reason in <paramref name="unreachable"/> when no daemon answered (none is
    /// listening, it did not accept in time, or it broke off), so the caller can seal another way. Throws
    /// <see cref="RefusedException"/> when this process may not connect (it is not root) or the daemon is not root:
    /// whatever such a daemon sent back could be anything. The path travels absolute: a provider may open the
    /// executable's directory by name, from the daemon's working directory.
    /// </summary>
    public static SealServiceAnswer? TrySeal(string socketPath, SourceExecutable source, string? cloneSelfExe, out string? unreachable)
    {
        ArgumentNullException.ThrowIfNull(source);
        unreachable = null;
        using var connection = Connect(socketPath, ref unreachable);
        if (connection is null)
        {
            return null;
        }

        var daemon = UnixSockets.PeerOf(connection);
        if (daemon.UserId != 0)
        {
            throw new RefusedException($"the socket {socketPath} is served by uid {daemon.UserId}, not root; refusing to run what it would send");
        }

        try
        {
            SealServiceChannel.Send(connection, new SealServiceRequest(Path.GetFullPath(source.Path), cloneSelfExe), SealServiceJson.Default.SealServiceRequest, source.Handle);
            UnixSockets.FinishSending(connection);
            var (reply, descriptor) = SealServiceChannel.Receive(connection, SealServiceJson.Default.SealServiceReply, AnswerTimeout);
            if (reply.ExitCode == ExitCodes.Success && descriptor is null)
            {
                throw new SealingException("exeseald reported success but sent no sealed descriptor");
            }

            if (reply.ExitCode != ExitCodes.Success)
            {
                descriptor?.Dispose();
                descriptor = null;
            }

            return new SealServiceAnswer(reply, descriptor);
        }
        catch (SealingException error)
        {
            unreachable = $"exeseald at {socketPath} did not answer: {error.Message}";
            return null;
        }
    }

    private static SafeFileHandle? Connect(string socketPath, ref string? unreachable)
    {
        int errno;
        SafeFileHandle? connection;
        try
        {
            errno = UnixSockets.TryConnect(socketPath, ConnectTimeout, out connection);
        }
        catch (SealingException error) when (error.Errno is Errno.EACCES or Errno.EPERM)
        {
            throw new RefusedException(error.Message);
        }

        unreachable = errno switch
        {
            0 => null,
            Errno.EAGAIN => $"exeseald at {socketPath} did not accept the connection within {ConnectTimeout.TotalSeconds:0} s",
            _ => $"no exeseald listens at {socketPath} ({Errno.NameOf(errno)})",
        };
        return connection;
    }
}
