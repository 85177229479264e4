using System.Diagnostics;
using Pluggable.Tests.Support;

namespace Pluggable.Tests;

/// <summary>
/// Providers that throw in Probe or hang in Seal. The other faults (constructor throws, Seal throws, returns null,
/// lies with a writable or unsealed handle, duplicate names, a newer major contract) are in PluginDiscoveryTests,
/// VerificationTests and VendorSampleTests.
/// </summary>
public sealed class FaultyPluginTests
{
    [Fact]
    public void A_provider_that_throws_in_Probe_is_named_under_errors_and_the_default_chain_moves_on()
    {
        using var directory = new TemporaryDirectory();
        var config = Config(directory, """{ "defaultChain": ["throws-in-probe", "memfd"] }""");

        var listed = Cli.Exeseal("providers", "--plugins", Paths.TestPlugins);
        var sealedFile = Cli.Exeseal("seal", "/bin/true", "--config", config, "--plugins", Paths.TestPlugins, "--format", "json");

        Assert.Equal(0, listed.ExitCode);
        Assert.Contains("Pluggable.TestPlugins.Misbehaving.dll: provider throws-in-probe threw in Probe: probe failed on purpose", listed.Stdout, StringComparison.Ordinal);
        Assert.True(sealedFile.ExitCode == 0, sealedFile.ToString());
        var attempts = Json.Parse(sealedFile).GetProperty("attempts").EnumerateArray().ToList();
        Assert.Equal(["throws-in-probe", "memfd"], attempts.Select(a => a.Text("provider")));
        Assert.EndsWith("threw in Probe: InvalidOperationException: probe failed on purpose", attempts[0].Text("error"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_provider_that_hangs_in_Seal_is_abandoned_after_its_configured_timeout_and_the_default_chain_moves_on()
    {
        using var directory = new TemporaryDirectory();
        var config = Config(directory, """{ "defaultChain": ["hangs-in-seal", "memfd"], "sealTimeouts": { "hangs-in-seal": 0.5 } }""");
        var clock = Stopwatch.StartNew();

        var result = Cli.Exeseal("exec", "--config", config, "--plugins", Paths.TestPlugins, "--log-level", "debug", "--", "/bin/echo", "ran");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("ran\n", result.Stdout);
        Assert.Contains("hangs-in-seal", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("did not finish sealing within 0.5 s (sealTimeouts); it was abandoned -- falling back to memfd", result.Stderr, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
    }

    [Fact]
    public void An_explicit_value_whose_provider_hangs_in_Seal_fails_with_exit_1_after_its_timeout_and_nothing_runs()
    {
        using var directory = new TemporaryDirectory();
        var config = Config(directory, """
            { "modes": { "slow": ["hangs-in-seal"] }, "allowedModes": ["slow"], "sealTimeouts": { "hangs-in-seal": 0.5 } }
            """);

        var result = Cli.Exeseal("exec", "--config", config, "--plugins", Paths.TestPlugins, "--mode", "slow", "--", "/bin/echo", "must not run");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal("", result.Stdout);
        Assert.Contains("cannot seal /bin/echo with clone-self-exe value \"slow\" (hangs-in-seal); nothing was executed", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("did not finish sealing within 0.5 s (sealTimeouts)", result.Stderr, StringComparison.Ordinal);
    }

    private static string Config(TemporaryDirectory directory, string json)
    {
        var path = Path.Combine(directory.Path, "exeseal.json");
        File.WriteAllText(path, json);
        return path;
    }
}
