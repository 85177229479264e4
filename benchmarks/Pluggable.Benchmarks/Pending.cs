namespace Pluggable.Benchmarks;

/// <summary>
/// Objects made during one iteration, closed outside the measured time (or closed one per invocation, when the
/// close is what is measured). A fixed array: growing a list would count as an allocation of the seal.
/// </summary>
public sealed class Pending(int capacity) : IDisposable
{
    private readonly IDisposable?[] items = new IDisposable?[capacity];
    private int added;
    private int closed;

    public void Add(IDisposable item)
    {
        // More invocations than planned (BenchmarkDotNet's jitting stage): close the oldest, never leak.
        var slot = added++ % items.Length;
        items[slot]?.Dispose();
        items[slot] = item;
    }

    public void CloseNext()
    {
        var slot = closed++ % items.Length;
        items[slot]?.Dispose();
        items[slot] = null;
    }

    public void Dispose()
    {
        for (var i = 0; i < items.Length; i++)
        {
            items[i]?.Dispose();
            items[i] = null;
        }

        added = 0;
        closed = 0;
    }
}
