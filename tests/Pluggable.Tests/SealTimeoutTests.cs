using Pluggable.Runtime.Sealing;
using Pluggable.Tests.Support;

namespace Pluggable.Tests;

/// <summary>
/// sealTimeouts in process: a hung provider is abandoned after its timeout without holding up the seals after it,
/// its token is cancelled, and whatever it returns too late is closed. The CLI's view is in FaultyPluginTests.
/// </summary>
public sealed class SealTimeoutTests
{
    private const string Abandoned = "did not finish sealing within 0.3 s (sealTimeouts); it was abandoned";

    private static readonly Dictionary<string, TimeSpan> ShortTimeouts = new()
    {
        ["hangs-in-seal"] = TimeSpan.FromSeconds(0.3),
        ["returns-after-cancel"] = TimeSpan.FromSeconds(0.3),
    };

    [Fact]
    public void Two_hung_providers_in_one_chain_each_get_their_timeout_and_the_chain_moves_on()
    {
        using var fixture = new RuntimeFixture(verifyContent: false, ShortTimeouts);
        using var source = SourceExecutable.Open("/usr/bin/true");

        using var outcome = fixture.Seal(source, "hangs-in-seal", "returns-after-cancel", "memfd");

        Assert.Equal("memfd", outcome.Provider);
        Assert.Equal([false, false, true], outcome.Attempts.Select(attempt => attempt.Ok));
        Assert.All(outcome.Attempts.Take(2), attempt => Assert.Contains(Abandoned, attempt.Error, StringComparison.Ordinal));
    }

    [Fact]
    public void Seals_after_abandoned_ones_each_get_their_timeout_and_then_a_working_provider_seals()
    {
        using var fixture = new RuntimeFixture(verifyContent: false, ShortTimeouts);
        using var source = SourceExecutable.Open("/usr/bin/true");

        var errors = Enumerable.Range(0, 3).Select(_ => Assert.Throws<SealingFailedException>(() => fixture.Seal(source, "hangs-in-seal"))).ToList();
        using var outcome = fixture.Seal(source, "memfd");

        Assert.All(errors, error => Assert.Contains(Abandoned, error.Message, StringComparison.Ordinal));
        Assert.Equal("memfd", outcome.Provider);
    }

    [Fact]
    public void A_provider_abandoned_after_its_timeout_is_cancelled_and_what_it_returns_late_is_closed()
    {
        using var fixture = new RuntimeFixture(verifyContent: false, ShortTimeouts);
        using var directory = new TemporaryDirectory();
        using var state = StateDirectory.UseGiven(directory.Path);
        using var source = SourceExecutable.Open("/usr/bin/true");

        var error = Assert.Throws<SealingFailedException>(() => fixture.Runtime.Seal(source, ReturnsAfterCancel, state, TestContext.Current.CancellationToken));

        Assert.Contains(Abandoned, error.Message, StringComparison.Ordinal);
        Assert.True(Eventually(() => File.Exists(Path.Combine(directory.Path, "returned"))), "the provider's token was never cancelled");
        Assert.True(Eventually(() => LateResultsOpen() == 0), "the result returned after the timeout is still open");
    }

    [Fact]
    public void A_seal_its_caller_cancels_cancels_the_provider_and_what_the_provider_returns_late_is_closed()
    {
        using var fixture = new RuntimeFixture(verifyContent: false);
        using var directory = new TemporaryDirectory();
        using var state = StateDirectory.UseGiven(directory.Path);
        using var source = SourceExecutable.Open("/usr/bin/true");
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancellation.CancelAfter(TimeSpan.FromSeconds(0.3));

        Assert.ThrowsAny<OperationCanceledException>(() => fixture.Runtime.Seal(source, ReturnsAfterCancel, state, cancellation.Token));

        Assert.True(Eventually(() => File.Exists(Path.Combine(directory.Path, "returned"))), "the provider's token was never cancelled");
        Assert.True(Eventually(() => LateResultsOpen() == 0), "the result returned after the cancellation is still open");
    }

    private static SealChain ReturnsAfterCancel => new("", ["returns-after-cancel"], SealChainOrigin.ProviderOverride);

    private static int LateResultsOpen() => OwnDescriptors.Snapshot().Count(descriptor => descriptor.Contains("/memfd:late-result", StringComparison.Ordinal));

    // A bound on waiting for another thread, generous for a loaded machine; the assertion is that it happens at all.
    private static bool Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            Thread.Sleep(20);
        }

        return true;
    }
}
