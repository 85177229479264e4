using Pluggable.Tests.Support;

namespace Pluggable.Tests;

public sealed class ProviderSettingsTests : IDisposable
{
    private const int SealExec = 0x20;
    private readonly TemporaryDirectory directory = new();

    [Fact]
    public void Providers_memfd_sealExec_adds_F_SEAL_EXEC_to_the_four_seals()
    {
        var config = Config("""{ "providers": { "memfd": { "sealExec": true } } }""");

        var result = Cli.Exeseal("seal", "/bin/true", "--config", config, "--mode", "independent-data-copy", "--format", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var seals = Json.Parse(result).GetProperty("seals").GetInt32();
        Assert.Equal(0xf | SealExec, seals & (0xf | SealExec));
    }

    [Fact]
    public void Without_sealExec_memfd_seals_exactly_0xf_for_crun_and_older_runc()
    {
        var config = Config("""{ "providers": { "memfd": { "sealExec": false } } }""");

        var result = Cli.Exeseal("seal", "/bin/true", "--config", config, "--mode", "independent-data-copy", "--format", "json");

        Assert.Equal(0xf, Json.Parse(result).GetProperty("seals").GetInt32());
    }

    [Fact]
    public void A_sealExec_that_is_not_a_boolean_fails_the_memfd_attempt_with_the_key_named()
    {
        var config = Config("""{ "providers": { "memfd": { "sealExec": "sometimes" } } }""");

        var result = Cli.Exeseal("seal", "/bin/true", "--config", config, "--provider", "memfd");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("providers.memfd.sealExec must be true or false, not \"sometimes\"", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_that_no_loaded_provider_reads_are_reported_by_providers_and_by_seal()
    {
        var config = Config("""{ "providers": { "memfd": { "sealExce": true }, "vendor-x": { "level": 3 } } }""");

        var providers = Cli.Exeseal("providers", "--config", config, "--format", "json");
        var seal = Cli.Exeseal("seal", "/bin/true", "--config", config, "--mode", "independent-data-copy");

        Assert.Equal(0, providers.ExitCode);
        var warnings = Json.Parse(providers).GetProperty("settingsWarnings").EnumerateArray().Select(w => w.GetString()!).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains(warnings, w => w.StartsWith("providers.memfd.sealExce in ", StringComparison.Ordinal) && w.EndsWith("provider memfd does not read this setting (it knows sealExec); it is ignored", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.StartsWith("providers.vendor-x in ", StringComparison.Ordinal) && w.EndsWith("no loaded provider is named \"vendor-x\"; its settings are ignored", StringComparison.Ordinal));
        Assert.Equal(0, seal.ExitCode);
        Assert.Contains("providers.memfd.sealExce", seal.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_providers_section_that_is_not_an_object_is_bad_input()
    {
        var config = Config("""{ "providers": { "memfd": true } }""");

        var result = Cli.Exeseal("providers", "--config", config);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("providers.memfd in ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("must be an object of settings, not \"True\"", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Provider_settings_can_come_from_EXESEAL_variables()
    {
        var result = Cli.Run(Paths.Exeseal, ["seal", "/bin/true", "--mode", "independent-data-copy", "--format", "json"],
            new Dictionary<string, string> { ["EXESEAL_PROVIDERS__MEMFD__SEALEXEC"] = "true" });

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(SealExec, Json.Parse(result).GetProperty("seals").GetInt32() & SealExec);
    }

    private string Config(string json) => directory.File($"exeseal-{Guid.NewGuid():N}.json", System.Text.Encoding.UTF8.GetBytes(json), UnixFileMode.UserRead | UnixFileMode.UserWrite);

    public void Dispose() => directory.Dispose();
}
