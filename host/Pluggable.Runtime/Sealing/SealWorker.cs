using System.Runtime.ExceptionServices;
using Pluggable.Abstractions;

namespace Pluggable.Runtime.Sealing;

/// <summary>
/// A long-lived thread that runs one provider's Seal at a time for a caller that waits with a timeout. A caller
/// that stops waiting abandons the worker: the provider's token is cancelled, and the thread, once the provider
/// returns, closes the late result and ends. An abandoned worker is never handed out again.
/// </summary>
internal sealed class SealWorker : IDisposable
{
    private const int Idle = 0;
    private const int Running = 1;
    private const int Finished = 2;
    private const int Abandoned = 3;
    private const int Stopped = 4;

    // SpinWait turns, about 0.35 µs each here: ~140 µs, longer than a mount seal (40–100 µs), which then returns
    // without a futex wake-up and a rescheduling of the caller, the larger part of a hand-off. Past it the caller
    // blocks, so a copy of milliseconds spends no more than that on spinning.
    private const int CallerSpinCount = 400;

    private static readonly ContextCallback RunInContext = static worker => ((SealWorker)worker!).RunProvider();

    private readonly ManualResetEventSlim jobReady = new();
    private readonly ManualResetEventSlim finished = new(false, CallerSpinCount);
    // Never disposed: it has no timer or wait handle to release, and an abandoned provider may still hold its token.
    private readonly CancellationTokenSource abandoned = new();
    private ISealingProvider? provider;
    private SealRequest? request;
    private ExecutionContext? context;
    private SealedExecutable? result;
    private ExceptionDispatchInfo? failure;
    private int state;

    private SealWorker()
    {
    }

    /// <summary>A worker on a thread of its own, waiting for its first seal.</summary>
    public static SealWorker Start()
    {
        var worker = new SealWorker();
        // A background thread: a provider stuck in a system call must not keep the process alive after main returns.
        new Thread(worker.Serve) { IsBackground = true, Name = "exeseal seal" }.Start();
        return worker;
    }

    /// <summary>Hands <paramref name="request"/> to <paramref name="sealer"/> on the worker's thread.</summary>
    public void Begin(ISealingProvider sealer, SealRequest request)
    {
        provider = sealer;
        this.request = request;
        // The provider sees the caller's async-locals (logging scopes, culture), as it would on the caller's thread.
        context = ExecutionContext.Capture();
        state = Running;
        finished.Reset();
        jobReady.Set();
    }

    /// <summary>Waits for the seal begun last; false when <paramref name="timeout"/> passed first.</summary>
    public bool Wait(TimeSpan timeout, CancellationToken cancellationToken) => finished.Wait(timeout, cancellationToken);

    /// <summary>
    /// Gives up on the seal in progress unless it has just finished; true when it was abandoned, false when its
    /// result is there to take.
    /// </summary>
    public bool TryAbandon()
    {
        if (Interlocked.CompareExchange(ref state, Abandoned, Running) != Running)
        {
            // The worker is between its last step and the signal: once signalled, it cannot signal a later caller.
            finished.Wait();
            return false;
        }

        // Asynchronously: a provider's cancellation callback runs elsewhere, so a callback that blocks cannot
        // hold the caller past its timeout.
        _ = abandoned.CancelAsync();
        return true;
    }

    /// <summary>What the finished seal returned; rethrows what the provider threw, with its stack.</summary>
    public SealedExecutable? TakeResult()
    {
        var sealedExecutable = result;
        var error = failure;
        result = null;
        failure = null;
        state = Idle;
        error?.Throw();
        return sealedExecutable;
    }

    /// <summary>Ends an idle worker's thread, which releases what it holds on its way out.</summary>
    public void Dispose()
    {
        state = Stopped;
        jobReady.Set();
    }

    private void Serve()
    {
        while (true)
        {
            jobReady.Wait();
            jobReady.Reset();
            if (Volatile.Read(ref state) == Stopped)
            {
                ReleaseEvents();
                return;
            }

            if (context is { } flowed)
            {
                ExecutionContext.Run(flowed, RunInContext, this);
            }
            else
            {
                RunProvider();
            }

            if (Interlocked.CompareExchange(ref state, Finished, Running) == Abandoned)
            {
                CloseLateResult();
                ReleaseEvents();
                return;
            }

            finished.Set();
        }
    }

    private void RunProvider()
    {
        try
        {
            result = provider!.Seal(request!, abandoned.Token);
        }
#pragma warning disable CA1031 // Whatever the provider threw belongs to its caller, rethrown there by TakeResult.
        catch (Exception error)
#pragma warning restore CA1031
        {
            failure = ExceptionDispatchInfo.Capture(error);
        }
        finally
        {
            provider = null;
            request = null;
            context = null;
        }
    }

    // Only this thread touches the events once the worker is stopped or abandoned.
    private void ReleaseEvents()
    {
        jobReady.Dispose();
        finished.Dispose();
    }

    // No one waits for this result any more: closing it is all that keeps a late fd or mount from leaking.
    private void CloseLateResult()
    {
        result?.Dispose();
        result = null;
        failure = null;
    }
}
