using System.Globalization;
using Pluggable.Runtime.Sealing;
using Pluggable.Tests.Support;

namespace Pluggable.Tests;

/// <summary>Runs alone: descriptors, mounts and Shmem are process- or machine-wide, and parallel tests move them.</summary>
[Collection(typeof(RunsAlone))]
public sealed class LoadTests(ITestOutputHelper output)
{
    private const int Seals = 1_000;
    private const long ShmemSlackKiB = 4 << 10;

    [Fact]
    public void A_thousand_seals_from_two_threads_across_providers_return_descriptors_mounts_state_entries_and_shmem_to_their_baseline()
    {
        Requires.Root();
        string[] providers = ["memfd", "tmpfile", "overlayfs", "ro-bind"];
        using var fixture = new RuntimeFixture(verifyContent: false);
        using var directory = new TemporaryDirectory();
        using var state = StateDirectory.UseGiven(directory.Path);
        using var source = SourceExecutable.Open("/usr/bin/ls");
        var cancellation = TestContext.Current.CancellationToken;
        foreach (var provider in providers)
        {
            fixture.Runtime.Seal(source, Chain(provider), state, cancellation).Dispose(); // Loads every plugin before counting.
        }

        var before = Observe(state);
        var sealedBy = new int[providers.Length];
        var threads = Enumerable.Range(0, 2).Select(thread => new Thread(() =>
        {
            for (var i = thread; i < Seals; i += 2)
            {
                using var outcome = fixture.Runtime.Seal(source, Chain(providers[i % providers.Length]), state, cancellation);
                Interlocked.Increment(ref sealedBy[Array.IndexOf(providers, outcome.Provider)]);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        var after = Observe(state);

        output.WriteLine($"{Seals} seals ({string.Join(", ", providers.Select((p, i) => $"{p} {sealedBy[i]}"))})");
        output.WriteLine($"before: {before.Descriptors.Count} descriptors, {before.Mounts} mounts, {before.StateEntries} state entries, {before.SharedMappings} shared-memory mappings, RssShmem {before.RssShmemKiB} kB, Shmem {before.ShmemKiB} kB");
        output.WriteLine($"after:  {after.Descriptors.Count} descriptors, {after.Mounts} mounts, {after.StateEntries} state entries, {after.SharedMappings} shared-memory mappings, RssShmem {after.RssShmemKiB} kB, Shmem {after.ShmemKiB} kB");
        var machineQuiet = MachineShmemIsQuiet();
        if (!machineQuiet)
        {
            output.WriteLine("Shmem (machine-wide) moved by more than 4 MiB within a second without exeseal: another process is using shared memory, so only this process's own shared memory is compared");
        }

        Directory.CreateDirectory(Path.Combine(Paths.Repository, "artifacts"));
        File.WriteAllText(Path.Combine(Paths.Repository, "artifacts", "load-counts.txt"), output.Output.TrimEnd() + "\n");
        Assert.Equal(Seals, sealedBy.Sum());
        Assert.Equal(before.Descriptors, after.Descriptors);
        Assert.Equal(before.Mounts, after.Mounts);
        Assert.Equal(before.StateEntries, after.StateEntries);
        Assert.Equal(before.SharedMappings, after.SharedMappings);
        Assert.True(after.RssShmemKiB - before.RssShmemKiB < ShmemSlackKiB, $"RssShmem grew from {before.RssShmemKiB} kB to {after.RssShmemKiB} kB");
        Assert.True(!machineQuiet || after.ShmemKiB - before.ShmemKiB < ShmemSlackKiB, $"Shmem grew from {before.ShmemKiB} kB to {after.ShmemKiB} kB");
    }

    private static SealChain Chain(string provider) => new("", [provider], SealChainOrigin.ProviderOverride);

    // Shmem counts every tmpfs page and memfd of the machine; a benchmark running beside the suite moves it.
    private static bool MachineShmemIsQuiet()
    {
        var first = Kib("/proc/meminfo", "Shmem:");
        Thread.Sleep(1000);
        return Math.Abs(Kib("/proc/meminfo", "Shmem:") - first) < ShmemSlackKiB;
    }

    private static long Kib(string file, string key) =>
        long.Parse(File.ReadLines(file).First(line => line.StartsWith(key, StringComparison.Ordinal)).Split(' ', '\t', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    private static (IReadOnlyList<string> Descriptors, int Mounts, int StateEntries, int SharedMappings, long RssShmemKiB, long ShmemKiB) Observe(StateDirectory state)
    {
        // Everything was disposed; collecting only makes the finalizers of the runtime's own caches run first.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        // A memfd or tmpfs copy that outlives its seal is either held by a descriptor or mapped: both are counted.
        return (
            OwnDescriptors.Snapshot(),
            File.ReadAllLines("/proc/self/mountinfo").Length,
            Directory.GetFileSystemEntries(state.Path).Length,
            File.ReadLines("/proc/self/maps").Count(line => line.Contains("/memfd:exeseal", StringComparison.Ordinal) || line.Contains("/dev/shm/", StringComparison.Ordinal)),
            Kib("/proc/self/status", "RssShmem:"),
            Kib("/proc/meminfo", "Shmem:"));
    }
}
