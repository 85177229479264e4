using Pluggable.Runtime.Sealing;
using Pluggable.Tests.Support;

namespace Pluggable.Tests;

/// <summary>Runs alone: it compares this process's descriptors before and after, which parallel tests would change.</summary>
[CollectionDefinition(DisableParallelization = true)]
public sealed class RunsAlone;

[Collection(typeof(RunsAlone))]
public sealed class ProviderLeakTests
{
    private const int Seals = 100;

    [Theory]
    [MemberData(nameof(ProviderGuaranteeTests.Providers), MemberType = typeof(ProviderGuaranteeTests))]
    public void A_hundred_seals_closed_again_leave_mounts_descriptors_and_the_state_directory_as_they_were(string provider)
    {
        ProviderGuaranteeTests.RequiresPrivilegeFor(provider);
        using var fixture = new RuntimeFixture();
        using var directory = new TemporaryDirectory();
        using var state = StateDirectory.UseGiven(directory.Path);
        using var source = SourceExecutable.Open("/usr/bin/true");
        var chain = new SealChain("", [provider], SealChainOrigin.ProviderOverride);
        var cancellation = TestContext.Current.CancellationToken;
        fixture.Runtime.Seal(source, chain, state, cancellation).Dispose(); // Loads the plugin before counting.
        // A handle another test dropped without disposing would otherwise be closed by its finalizer mid-test.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = Observe(state);

        for (var i = 0; i < Seals; i++)
        {
            using var outcome = fixture.Runtime.Seal(source, chain, state, cancellation);
            Assert.Equal(provider, outcome.Provider);
        }

        var after = Observe(state);
        Assert.Equal(before.MountInfo, after.MountInfo);
        Assert.Equal(before.Descriptors, after.Descriptors);
        Assert.Equal(before.StateEntries, after.StateEntries);
    }

    private static (string MountInfo, IReadOnlyList<string> Descriptors, string[] StateEntries) Observe(StateDirectory state)
    {
        // No collection before the second look: a handle a provider dropped without closing it is a leak, even
        // if a finalizer would close it some time later.
        return (File.ReadAllText("/proc/self/mountinfo"), OwnDescriptors.Snapshot(), Directory.GetFileSystemEntries(state.Path));
    }
}
