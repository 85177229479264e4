using System.Text.Json;
using Pluggable.Runtime.Selection;
using Pluggable.Tests.Support;

namespace Pluggable.Tests;

/// <summary>Real containers, run by real runc and crun through <c>exeseal runtime</c>.</summary>
public sealed class RuntimeWrapperTests
{
    public static TheoryData<string, string?> RuntimesAndValues()
    {
        var data = new TheoryData<string, string?>();
        foreach (var runtime in new[] { "runc", "crun" })
        {
            foreach (var value in new[] { null, "independent-data-copy", "ro-shared-page" })
            {
                data.Add(runtime, value);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RuntimesAndValues))]
    public void A_container_run_through_the_wrapper_passes_its_output_and_exit_code_through(string runtime, string? value)
    {
        using var bundle = new BusyboxBundle("echo hello from busybox; exit 3", value);
        var runtimePath = Requires.Tool(runtime);

        var result = BusyboxBundle.InPrivateMountNamespace(
            [Paths.Exeseal, "runtime", "--runtime", runtimePath, "--", "run", "--bundle", bundle.Path, bundle.NewContainerId(runtimePath)]);

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Equal("hello from busybox\n", result.Stdout);
    }

    [Theory]
    [InlineData("runc", "independent-data-copy", "/memfd:exeseal:runc (deleted)")]
    [InlineData("crun", "independent-data-copy", "/memfd:exeseal:crun (deleted)")]
    [InlineData("crun", "ro-shared-page", "/crun")]
    public void The_runtime_recognises_the_sealed_object_and_makes_no_copy_of_its_own(string runtime, string value, string expectedExe)
    {
        using var bundle = new BusyboxBundle("exit 0", value);
        var runtimePath = Requires.Tool(runtime);
        var id = bundle.NewContainerId(runtimePath);

        var (created, output) = bundle.Create([Paths.Exeseal, "runtime", "--runtime", runtimePath, "--", "create", "--bundle", bundle.Path, id]);
        Assert.True(created.ExitCode == 0, output);
        var state = BusyboxBundle.InPrivateMountNamespace([runtimePath, "state", id]);
        var pid = JsonDocument.Parse(state.Stdout).RootElement.GetProperty("pid").GetInt32();

        // While the container waits in "created", its first process is still the runtime's own init: had the
        // runtime copied itself (as it does when started from the host file), its name would be the runtime's.
        Assert.Equal(expectedExe, new FileInfo($"/proc/{pid}/exe").LinkTarget);
        var verdict = Cli.Exeseal("verify", "--pid", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--format", "json");
        Assert.Equal(0, verdict.ExitCode);
        Assert.True(JsonDocument.Parse(verdict.Stdout).RootElement.GetProperty("protected").GetBoolean());
    }

    [Fact]
    public void Without_the_wrapper_runc_protects_itself_with_a_clone_of_its_own()
    {
        using var bundle = new BusyboxBundle("exit 0", null);
        var runc = Requires.Tool("runc");
        var id = bundle.NewContainerId(runc);

        var (created, output) = bundle.Create([runc, "create", "--bundle", bundle.Path, id]);
        Assert.True(created.ExitCode == 0, output);
        var pid = JsonDocument.Parse(Cli.Run(runc, ["state", id]).Stdout).RootElement.GetProperty("pid").GetInt32();

        Assert.DoesNotContain("exeseal", new FileInfo($"/proc/{pid}/exe").LinkTarget, StringComparison.Ordinal);
    }

    [Fact]
    public void An_explicit_value_the_runtime_cannot_get_is_fatal_and_no_container_starts()
    {
        using var bundle = new BusyboxBundle("echo must not run", "vendor-x");
        var runc = Requires.Tool("runc");

        var result = Cli.Exeseal("runtime", "--runtime", runc, "--", "run", "--bundle", bundle.Path, bundle.NewContainerId(runc));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("invalid org.opencontainers.runc.clone-self-exe value \"vendor-x\"", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    public static TheoryData<string[], string?, string?> RuntimeCommandLines() => new()
    {
        { ["run", "--bundle", "/b", "id"], "run", "/b" },
        { ["--root", "/run/r", "--log", "/l.json", "create", "-b", "/b", "--pid-file", "/p", "id"], "create", "/b" },
        { ["--debug", "--log-format=json", "create", "--bundle=/b", "id"], "create", "/b" },
        { ["--systemd-cgroup", "run", "-bundle", "/b", "id"], "run", "/b" },
        { ["delete", "-f", "id"], "delete", null },
        { ["--root", "/run/r", "state", "id"], "state", null },
        { ["exec", "id", "sh", "-c", "-b x"], "exec", null },
        { ["--version"], null, null },
    };

    [Theory]
    [MemberData(nameof(RuntimeCommandLines))]
    public void The_wrapper_finds_the_command_and_the_bundle_as_runc_and_crun_read_them(string[] arguments, string? command, string? bundle)
    {
        var invocation = RuntimeInvocation.Parse(arguments);

        Assert.Equal(command, invocation.Command);
        Assert.Equal(bundle, invocation.Bundle);
    }

    [Fact]
    public void Create_without_a_bundle_option_uses_the_current_directory()
    {
        Assert.Equal(Directory.GetCurrentDirectory(), RuntimeInvocation.Parse(["create", "id"]).Bundle);
    }
}
