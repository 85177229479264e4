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
        output.WriteLine($"before: {before.Descriptors.Count} descriptors, {before.Mounts} mounts, {before.StateEntries} state entries, Shmem {before.ShmemKiB} kB");
        output.WriteLine($"after:  {after.Descriptors.Count} descriptors, {after.Mounts} mounts, {after.StateEntries} state entries, Shmem {after.ShmemKiB} kB");
        Directory.CreateDirectory(Path.Combine(Paths.Repository, "artifacts"));
        File.WriteAllText(Path.Combine(Paths.Repository, "artifacts", "load-counts.txt"), output.Output.TrimEnd() + "\n");
        Assert.Equal(Seals, sealedBy.Sum());
        Assert.Equal(before.Descriptors, after.Descriptors);
        Assert.Equal(before.Mounts, after.Mounts);
        Assert.Equal(before.StateEntries, after.StateEntries);
        Assert.True(after.ShmemKiB - before.ShmemKiB < ShmemSlackKiB, $"Shmem grew from {before.ShmemKiB} kB to {after.ShmemKiB} kB");
    }

    private static SealChain Chain(string provider) => new("", [provider], SealChainOrigin.ProviderOverride);

    private static (IReadOnlyList<string> Descriptors, int Mounts, int StateEntries, long ShmemKiB) Observe(StateDirectory state)
    {
        // Everything was disposed; collecting only makes the finalizers of the runtime's own caches run first.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var shmem = File.ReadLines("/proc/meminfo").First(line => line.StartsWith("Shmem:", StringComparison.Ordinal));
        return (
            OwnDescriptors.Snapshot(),
            File.ReadAllLines("/proc/self/mountinfo").Length,
            Directory.GetFileSystemEntries(state.Path).Length,
            long.Parse(shmem.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture));
    }
}
