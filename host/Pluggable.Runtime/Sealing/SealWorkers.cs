namespace Pluggable.Runtime.Sealing;

/// <summary>
/// The idle sealing workers of one runtime: a seal takes one, or starts one when all are busy, and gives it back
/// when the provider finished in time. A worker abandoned with a hung provider is not given back; the next seal
/// that finds none idle starts a fresh one, so a hung provider never holds up a later seal.
/// </summary>
internal sealed class SealWorkers : IDisposable
{
    // Concurrent seals beyond the cores gain nothing; the extra workers end instead of idling.
    private static readonly int MaxIdle = Math.Max(2, Environment.ProcessorCount);

    private readonly Stack<SealWorker> idle = new();
    private bool disposed;

    /// <summary>An idle worker, or a new one.</summary>
    public SealWorker Rent()
    {
        lock (idle)
        {
            if (idle.TryPop(out var worker))
            {
                return worker;
            }
        }

        return SealWorker.Start();
    }

    /// <summary>Takes back a worker whose seal finished and whose result was taken.</summary>
    public void Return(SealWorker worker)
    {
        lock (idle)
        {
            if (!disposed && idle.Count < MaxIdle)
            {
                idle.Push(worker);
                return;
            }
        }

        worker.Dispose();
    }

    /// <summary>Ends the idle workers' threads; a seal after this still works, on a worker of its own.</summary>
    public void Dispose()
    {
        lock (idle)
        {
            disposed = true;
            while (idle.TryPop(out var worker))
            {
                worker.Dispose();
            }
        }
    }
}
