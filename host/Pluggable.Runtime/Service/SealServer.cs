using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using Pluggable.Abstractions;
using Pluggable.Linux;
using Pluggable.Runtime.Sealing;
using Pluggable.Runtime.Selection;

namespace Pluggable.Runtime.Service;

/// <summary>
/// The daemon's loop: accepts connections on a listening unix socket and answers each seal request with the same
/// <see cref="ExecutableSealer"/> the CLI uses, so plugins are discovered and composed once, not per container.
/// </summary>
public sealed class SealServer(ExecutableSealer sealer, RuntimeOptions options, ILogger<SealServer> logger)
{
    // A client that connects and then says nothing must not hold a thread for longer than this.
    private static readonly TimeSpan ConversationTimeout = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan AcceptPause = TimeSpan.FromMilliseconds(100);

    // Each request has a thread of its own, as it blocks in system calls and in providers for up to its
    // sealTimeouts; beyond this many at once, connections wait in the kernel's queue (a client waits there for
    // its answer timeout, or for its connect timeout once the queue is full), instead of the daemon piling up threads.
    private const int MaxConcurrentAnswers = 64;

    private static readonly Dictionary<string, string> NoAnnotations = [];

    /// <summary>
    /// Serves <paramref name="listener"/> until <paramref name="cancellationToken"/> is cancelled, then waits for
    /// the requests in progress to be answered, so no state directory is left behind. The listener itself is left
    /// as it was: under socket activation it is systemd's, and the next exeseald is started on it.
    /// </summary>
    public void Serve(SafeFileHandle listener, CancellationToken cancellationToken)
    {
        using var answering = new CountdownEvent(1);
        using var slots = new SemaphoreSlim(MaxConcurrentAnswers);
        using var stopping = Readiness.CreateWakeup();
        using var stop = cancellationToken.Register(() => Readiness.Signal(stopping));
        try
        {
            while (Readiness.WaitForInput(Timeout.InfiniteTimeSpan, listener, stopping) == 0 && TakeSlot(slots, cancellationToken))
            {
                SafeFileHandle connection;
                try
                {
                    connection = UnixSockets.Accept(listener);
                }
                catch (SealingException error) when (error.Errno is Errno.EINVAL or Errno.ENOTSOCK or Errno.EBADF)
                {
                    throw new BadInputException($"{error.Message}: the descriptor exeseald was given to serve is not a listening socket; check its socket unit");
                }
                catch (SealingException error)
                {
                    // EMFILE, ENFILE, ENOMEM: the connection waits in the queue; pausing lets descriptors or memory free up.
                    slots.Release();
                    logger.LogError("{Reason}; retrying in {Pause} ms", error.Message, AcceptPause.TotalMilliseconds);
                    Thread.Sleep(AcceptPause);
                    continue;
                }

                StartAnswering(connection, slots, answering);
            }
        }
        finally
        {
            // However the loop ends, the requests in progress are answered before anything they use is disposed.
            answering.Signal();
            answering.Wait(CancellationToken.None);
        }
    }

    private void StartAnswering(SafeFileHandle connection, SemaphoreSlim slots, CountdownEvent answering)
    {
        answering.AddCount();
        try
        {
            new Thread(() =>
            {
                try
                {
                    Answer(connection);
                }
                finally
                {
                    slots.Release();
                    answering.Signal();
                }
            })
            { IsBackground = true, Name = "exeseald answer" }.UnsafeStart();
        }
        catch
        {
            connection.Dispose();
            slots.Release();
            answering.Signal();
            throw;
        }
    }

    private static bool TakeSlot(SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        try
        {
            slots.Wait(cancellationToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Answers the one request on <paramref name="connection"/> and closes it. A request that has begun is
    /// finished even when the daemon is stopping: a container start is waiting on it, and sealTimeouts bound it.
    /// </summary>
    internal void Answer(SafeFileHandle connection)
    {
        var clock = Stopwatch.StartNew();
        using (connection)
        {
            try
            {
                UnixSockets.SetSendTimeout(connection, ConversationTimeout);
                var peer = UnixSockets.PeerOf(connection);

                // Read before any answer, a refusal included: closing a socket with its request unread resets it, and
                // the client would take the lost answer for an absent daemon instead of the refusal it is.
                var (request, descriptor) = SealServiceChannel.Receive(connection, SealServiceJson.Default.SealServiceRequest, ConversationTimeout);
                using (descriptor)
                {
                    if (peer.UserId != 0)
                    {
                        logger.LogWarning("refused a request from pid {Pid}, uid {Uid}: only root may ask for seals", peer.ProcessId, peer.UserId);
                        Reply(connection, new SealServiceReply(ExitCodes.Refused, $"exeseald serves root only, and this client runs as uid {peer.UserId}", null, []), null);
                        return;
                    }

                    if (descriptor is null)
                    {
                        logger.LogWarning("pid {Pid}: the request for {Path} came without its descriptor", peer.ProcessId, request.Path);
                        Reply(connection, new SealServiceReply(ExitCodes.BadInput, $"the request for {request.Path} came without its descriptor", null, []), null);
                        return;
                    }

                    SealAndReply(connection, peer, request, descriptor, clock);
                }
            }
            catch (SealingException error)
            {
                // The conversation itself failed (the client went away, timed out or spoke nonsense); the client
                // falls back to the CLI or reports it, and the daemon carries on.
                logger.LogWarning("a seal request was not answered: {Reason}", error.Message);
            }
#pragma warning disable CA1031 // One request's unexpected failure must not stop the daemon every container start depends on.
            catch (Exception error)
#pragma warning restore CA1031
            {
                logger.LogError(error, "a seal request failed unexpectedly");
            }
        }
    }

    private void SealAndReply(SafeFileHandle connection, PeerCredentials peer, SealServiceRequest request, SafeFileHandle descriptor, Stopwatch clock)
    {
        SealOutcome outcome;
        try
        {
            using var source = SourceExecutable.Adopt(descriptor, request.Path, options.MaxSourceBytes);
            SelfLocatingExecutable.EnsureCanRunSealed(source);
            outcome = sealer.Seal(source, new AnnotationSelection(request.CloneSelfExe, NoAnnotations), null, null, CancellationToken.None);
        }
        catch (Exception error) when (error is ExesealException or SealingException)
        {
            // A failure outside the providers (the state directory, re-opening a sealed object) is still the
            // answer to this request: the CLI would have exited 1 with it, and the client must not seal again.
            var exitCode = (error as ExesealException)?.ExitCode ?? ExitCodes.SealingFailed;
            logger.LogWarning("pid {Pid}: {Reason}", peer.ProcessId, error.Message);
            Reply(connection, new SealServiceReply(exitCode, error.Message, null, (error as SealingFailedException)?.Attempts ?? []), null);
            return;
        }

        using (outcome)
        {
            Reply(connection, new SealServiceReply(ExitCodes.Success, null, outcome.Provider, outcome.Attempts), outcome.Executable.Handle);
            logger.LogDebug(
                "pid {Pid}: sealed {Path} with {Provider} in {Microseconds} µs; answered in {AnswerMicroseconds} µs",
                peer.ProcessId, request.Path, outcome.Provider, outcome.Microseconds, clock.ElapsedTicks * 1_000_000 / Stopwatch.Frequency);
        }
    }

    private static void Reply(SafeFileHandle connection, SealServiceReply reply, SafeFileHandle? sealedExecutable) =>
        SealServiceChannel.Send(connection, reply, SealServiceJson.Default.SealServiceReply, sealedExecutable);
}
