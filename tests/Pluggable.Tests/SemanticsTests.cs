using Pluggable.Tests.Support;

namespace Pluggable.Tests;

/// <summary>The rows of DESIGN.md's semantics table, with real providers and with providers that fail on purpose.</summary>
public sealed class SemanticsTests : IDisposable
{
    private const string Annotation = "org.opencontainers.runc.clone-self-exe";
    private readonly TemporaryDirectory directory = new();

    public void Dispose() => directory.Dispose();

    private string Config(string json) => directory.File("exeseal.json", System.Text.Encoding.UTF8.GetBytes(json), UnixFileMode.UserRead | UnixFileMode.UserWrite);

    private static CommandResult Seal(params string[] arguments) =>
        Cli.Exeseal(["seal", "/bin/true", "--format", "json", "--plugins", Paths.TestPlugins, .. arguments]);

    [Fact]
    public void Independent_data_copy_seals_with_memfd()
    {
        var report = Json.Parse(Seal("--mode", "independent-data-copy"));

        Assert.Equal("independent-data-copy", report.Text("mode"));
        Assert.Equal("memfd", report.Text("provider"));
        Assert.Equal(15, report.GetProperty("seals").GetInt32());
    }

    [Fact]
    public void Independent_data_copy_falls_back_to_tmpfile_where_the_kernel_refuses_executable_memfds()
    {
        Requires.Root();

        // vm.memfd_noexec belongs to the pid namespace (Linux 6.3+): setting it to 2 in a new one refuses
        // executable memfds to exeseal there, and to nobody else on the host.
        var result = Cli.Run(Requires.Tool("unshare"), ["--pid", "--fork", "--mount-proc", "sh", "-c",
            $"echo 2 > /proc/sys/vm/memfd_noexec && exec {Paths.Exeseal} seal /bin/true --format json --mode independent-data-copy"]);

        var report = Json.Parse(result);
        Assert.Equal(["memfd", "tmpfile"], report.Providers());
        Assert.Equal("tmpfile", report.Text("provider"));
        Assert.Contains("vm.memfd_noexec=2", report.GetProperty("attempts")[0].Text("error"), StringComparison.Ordinal);
    }

    [Fact]
    public void Ro_shared_page_seals_with_overlayfs_on_a_read_only_mount()
    {
        Requires.Root();

        var report = Json.Parse(Seal("--mode", "ro-shared-page"));

        Assert.Equal("overlayfs", report.Text("provider"));
        Assert.Equal("ro-shared-page", report.Text("guarantee"));
        Assert.True(report.GetProperty("readOnlyMount").GetBoolean());
    }

    [Fact]
    public void Overlayfs_explains_that_a_state_directory_inside_the_binarys_directory_cannot_work()
    {
        Requires.Root();
        var binary = directory.File("program", File.ReadAllBytes("/bin/true"), UnixFileMode.UserRead | UnixFileMode.UserExecute);

        var result = Cli.Exeseal("seal", binary, "--mode", "ro-shared-page", "--state-dir", Path.Combine(directory.Path, "state"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"the state directory {directory.Path}/state is inside {directory.Path}, the directory of the binary", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Absent_annotation_runs_the_default_chain_starting_with_overlayfs()
    {
        Requires.Root();

        var report = Json.Parse(Seal());

        Assert.Equal("", report.Text("mode"));
        Assert.Equal(["overlayfs"], report.Providers());
    }

    [Fact]
    public void Absent_annotation_falls_through_the_default_chain_and_logs_each_fallback_at_debug_level()
    {
        var config = Config("""{ "defaultChain": ["always-fails", "unavailable", "memfd"] }""");

        var result = Seal("--config", config, "--log-level", "debug");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["always-fails", "unavailable", "memfd"], Json.Parse(result).Providers());
        Assert.Contains("could not use always-fails for /bin/true: always-fails failed on purpose -- falling back to unavailable", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("could not use unavailable for /bin/true: unavailable is not available here: this provider is never available -- falling back to memfd", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Absent_annotation_fails_with_exit_1_only_when_every_provider_fails_listing_each_attempt()
    {
        var config = Config("""{ "defaultChain": ["always-fails", "unavailable"] }""");

        var result = Cli.Exeseal("exec", "--config", config, "--plugins", Paths.TestPlugins, "--", "/bin/echo", "must not run");

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Stdout);
        Assert.Contains("always-fails: always-fails failed on purpose; unavailable: unavailable is not available here", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void An_explicit_value_falls_back_only_inside_its_own_chain()
    {
        var config = Config("""{ "modes": { "independent-data-copy": ["always-fails", "memfd"] } }""");

        var report = Json.Parse(Seal("--config", config, "--mode", "independent-data-copy"));

        Assert.Equal(["always-fails", "memfd"], report.Providers());
        Assert.Equal("memfd", report.Text("provider"));
    }

    [Fact]
    public void An_explicit_value_whose_chain_fails_is_fatal_and_never_uses_a_provider_outside_it()
    {
        var config = Config("""{ "defaultChain": ["memfd"], "modes": { "independent-data-copy": ["always-fails"] } }""");

        var result = Cli.Exeseal("exec", "--config", config, "--plugins", Paths.TestPlugins, "--mode", "independent-data-copy", "--format", "json", "--", "/bin/echo", "must not run");

        Assert.Equal(1, result.ExitCode);
        var report = Json.Parse(result);
        Assert.Equal(["always-fails"], report.Providers());
        Assert.DoesNotContain("must not run", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("Independent-Data-Copy")]
    [InlineData(" ro-shared-page")]
    [InlineData("ro-shared-page ")]
    public void A_value_that_is_not_configured_exactly_is_bad_input_naming_the_accepted_values(string value)
    {
        var result = Seal("--mode", value);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"exeseal: invalid {Annotation} value \"{value}\" (want \"independent-data-copy\" or \"ro-shared-page\")", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_missing_from_allowedModes_is_refused_with_exit_3()
    {
        var config = Config("""{ "allowedModes": ["independent-data-copy"] }""");

        var result = Seal("--config", config, "--mode", "ro-shared-page");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("\"ro-shared-page\" is not in allowedModes", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_chain_with_an_experimental_provider_is_refused_unless_allowExperimental_is_true()
    {
        const string modes = """ "modes": { "vendor-x": ["experimental-fails", "memfd"] }, "allowedModes": ["vendor-x"] """;
        var refused = Seal("--config", Config("{" + modes + "}"), "--mode", "vendor-x");
        var allowed = Seal("--config", Config("{" + modes + """, "allowExperimental": true }"""), "--mode", "vendor-x");

        Assert.Equal(3, refused.ExitCode);
        Assert.Contains("experimental provider experimental-fails and allowExperimental is false", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, allowed.ExitCode);
        Assert.Equal(["experimental-fails", "memfd"], Json.Parse(allowed).Providers());
    }

    [Fact]
    public void An_operator_can_add_a_value_with_its_own_chain()
    {
        var config = Config("""{ "modes": { "vendor-x": ["returns-source", "memfd"] }, "allowedModes": ["vendor-x", "independent-data-copy"] }""");

        var report = Json.Parse(Seal("--config", config, "--annotation", $"{Annotation}=vendor-x"));

        Assert.Equal("vendor-x", report.Text("mode"));
        Assert.Equal(["returns-source", "memfd"], report.Providers());
    }

    [Fact]
    public void A_source_that_already_is_a_sealed_memfd_is_reused_only_when_no_value_is_given()
    {
        var inner = $"{Paths.Exeseal} seal --format json /proc/$$/exe; echo ---; {Paths.Exeseal} seal --format json --mode independent-data-copy /proc/$$/exe";

        var result = Cli.Exeseal("exec", "--mode", "independent-data-copy", "--", "/bin/sh", "-c", inner);

        Assert.Equal(0, result.ExitCode);
        var parts = result.Stdout.Split("---");
        var reused = Json.Parse(result with { Stdout = parts[0] });
        var fresh = Json.Parse(result with { Stdout = parts[1] });
        Assert.True(reused.GetProperty("alreadySealed").GetBoolean());
        Assert.Equal("already-sealed", reused.Text("provider"));
        Assert.Empty(reused.Providers());
        Assert.False(fresh.GetProperty("alreadySealed").GetBoolean());
        Assert.Equal(["memfd"], fresh.Providers());
    }

    [Fact]
    public void Two_sources_that_disagree_on_the_value_are_bad_input_naming_both()
    {
        var result = Seal("--mode", "ro-shared-page", "--annotation", $"{Annotation}=independent-data-copy");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("is \"independent-data-copy\" from --annotation but \"ro-shared-page\" from --mode", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Provider_override_ignores_the_annotation_policy()
    {
        var config = Config("""{ "allowedModes": ["independent-data-copy"] }""");

        var report = Json.Parse(Seal("--config", config, "--provider", "memfd"));

        Assert.Equal(["memfd"], report.Providers());
    }

    public static TheoryData<string, string, string> BadConfigurations() => new()
    {
        { "malformed JSON", """{ "defaultChain": [ """, "is not valid JSON" },
        { "an unknown provider", """{ "defaultChain": ["memfd", "nosuch"] }""", "defaultChain in {0} names provider \"nosuch\", which no plugin provides" },
        { "an empty chain", """{ "modes": { "independent-data-copy": [] } }""", "modes.independent-data-copy in {0} is empty: name at least one provider" },
        { "an empty default chain", """{ "defaultChain": [] }""", "defaultChain in {0} is empty" },
        { "a chain that is not a list", """{ "defaultChain": "memfd" }""", "defaultChain in {0} must be a list, not \"memfd\"" },
        { "an unknown key", """{ "allowExperimantal": true }""", "allowExperimantal in {0} is not a setting" },
        { "a boolean that is not one", """{ "allowExperimental": "yes" }""", "allowExperimental in {0} must be true or false, not \"yes\"" },
        { "an allowed value without a chain", """{ "allowedModes": ["vendor-y"] }""", "allowedModes in {0} names \"vendor-y\", which is not a value of modes" },
        { "a relative state root", """{ "stateRoot": "run/exeseal" }""", "stateRoot in {0} must be an absolute path" },
    };

    [Theory]
    [MemberData(nameof(BadConfigurations))]
    public void A_bad_configuration_is_one_sentence_naming_the_key_and_exit_2(string what, string json, string expected)
    {
        var config = Config(json);

        var result = Cli.Exeseal("seal", "/bin/true", "--config", config);

        Assert.True(result.ExitCode == 2, $"{what}: {result}");
        Assert.Contains(string.Format(System.Globalization.CultureInfo.InvariantCulture, expected, config), result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_configuration_file_is_bad_input()
    {
        var result = Cli.Exeseal("modes", "--config", "/nonexistent/exeseal.json");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("exeseal: configuration file /nonexistent/exeseal.json does not exist", result.Stderr.Trim());
    }

    [Fact]
    public void EXESEAL_CONFIG_names_the_configuration_file()
    {
        var config = Config("""{ "defaultChain": ["always-fails", "memfd"] }""");

        var result = Cli.Run(Paths.Exeseal, ["seal", "/bin/true", "--format", "json", "--plugins", Paths.TestPlugins], new Dictionary<string, string> { ["EXESEAL_CONFIG"] = config });

        Assert.Equal(["always-fails", "memfd"], Json.Parse(result).Providers());
    }

    [Fact]
    public void Modes_shows_each_value_its_chain_where_it_came_from_and_whether_it_is_allowed()
    {
        var config = Config("""{ "modes": { "vendor-x": ["memfd"] } }""");

        var report = Json.Parse(Cli.Exeseal("modes", "--format", "json", "--config", config));

        var modes = report.GetProperty("modes").EnumerateArray().ToDictionary(m => m.Text("value"));
        Assert.Equal("defaults", modes["independent-data-copy"].Text("source"));
        Assert.Equal(["memfd", "tmpfile"], modes["independent-data-copy"].GetProperty("providers").EnumerateArray().Select(p => p.GetString()));
        Assert.True(modes["ro-shared-page"].GetProperty("allowed").GetBoolean());
        Assert.Equal("file", modes["vendor-x"].Text("source"));
        Assert.False(modes["vendor-x"].GetProperty("allowed").GetBoolean());
        Assert.Equal(["overlayfs", "memfd", "tmpfile"], report.GetProperty("defaultChain").GetProperty("providers").EnumerateArray().Select(p => p.GetString()));
    }
}
