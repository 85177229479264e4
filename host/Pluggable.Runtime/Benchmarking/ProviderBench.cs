using System.Diagnostics;
using System.Globalization;
using Pluggable.Abstractions;
using Pluggable.Runtime.Sealing;

namespace Pluggable.Runtime.Benchmarking;

/// <summary>One provider's measurements on this host, or why it could not be measured.</summary>
/// <param name="Provider">The provider's name.</param>
/// <param name="MedianMicroseconds">The median time from the opened source to a verified sealed object; null on error.</param>
/// <param name="P95Microseconds">The 95th percentile (nearest rank) of the same; null on error.</param>
/// <param name="BytesPerSecond">The source's size divided by the median time; null on error.</param>
/// <param name="PinnedBytes">
/// Shared memory one sealed object holds while it lives (the median rise of Shmem in /proc/meminfo between before
/// the seal and after it): a memfd or a tmpfs copy holds the binary's size, a mount nothing. Null on error.
/// </param>
/// <param name="Error">Why the provider could not seal, or null.</param>
public sealed record ProviderBenchResult(
    string Provider,
    double? MedianMicroseconds,
    double? P95Microseconds,
    double? BytesPerSecond,
    long? PinnedBytes,
    string? Error);

/// <summary>
/// Measures providers the way the runtime uses them: each iteration runs a chain of that provider alone
/// (probe, seal, verification) on a source opened once, and closes the result outside the measured time.
/// One seal before the measured ones warms the JIT and the page cache.
/// </summary>
public sealed class ProviderBench(SealingRuntime runtime)
{
    /// <summary>Measures <paramref name="provider"/> over <paramref name="iterations"/> seals of <paramref name="source"/>.</summary>
    public ProviderBenchResult Measure(string provider, SourceExecutable source, StateDirectory state, int iterations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        var chain = new SealChain("", [provider], SealChainOrigin.ProviderOverride);
        var times = new double[iterations];
        var pinned = new long[iterations];
        try
        {
            runtime.Seal(source, chain, state, cancellationToken).Dispose();
            for (var i = 0; i < iterations; i++)
            {
                var before = SharedMemoryBytes();
                var clock = Stopwatch.GetTimestamp();
                using var outcome = runtime.Seal(source, chain, state, cancellationToken);
                times[i] = Stopwatch.GetElapsedTime(clock).TotalMicroseconds;
                pinned[i] = Math.Max(0, SharedMemoryBytes() - before);
            }
        }
        catch (SealingFailedException error)
        {
            var reason = error.Attempts.Count > 0 ? error.Attempts[^1].Error : error.Message;
            return new ProviderBenchResult(provider, null, null, null, null, reason);
        }

        Array.Sort(times);
        Array.Sort(pinned);
        var median = Median(times);
        return new ProviderBenchResult(
            provider,
            Math.Round(median, 1),
            Math.Round(NearestRank(times, 0.95), 1),
            Math.Round(source.Size / (median / 1_000_000)),
            RoundToPages(pinned[pinned.Length / 2]),
            null);
    }

    private static double Median(double[] sorted) => sorted.Length % 2 == 1
        ? sorted[sorted.Length / 2]
        : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;

    private static double NearestRank(double[] sorted, double percentile) =>
        sorted[Math.Clamp((int)Math.Ceiling(percentile * sorted.Length) - 1, 0, sorted.Length - 1)];

    // Other processes move Shmem too; a rise below one page is theirs, not the seal's.
    private static long RoundToPages(long bytes) => bytes < Environment.SystemPageSize ? 0 : bytes;

    /// <summary>Shmem of /proc/meminfo in bytes: memfds and tmpfs files, which nothing can page out but to swap.</summary>
    public static long SharedMemoryBytes()
    {
        foreach (var line in File.ReadLines("/proc/meminfo"))
        {
            if (line.StartsWith("Shmem:", StringComparison.Ordinal))
            {
                var value = line.AsSpan("Shmem:".Length).Trim();
                var kilobytes = value.EndsWith(" kB", StringComparison.Ordinal) ? value[..^3].Trim() : value;
                return long.Parse(kilobytes, NumberStyles.None, CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }
}
