using System.Globalization;
using System.Text.Json;
using Pluggable.Linux;
using Pluggable.Tests.Support;

namespace Pluggable.Tests;

/// <summary>The warm path: <c>exeseal daemon</c> (exeseald) and its Native AOT client, exeseal-runtime.</summary>
public sealed class WarmPathTests
{
    private const string Busybox = "/bin/busybox";

    public static TheoryData<string, string?> RuntimesAndValues() => RuntimeWrapperTests.RuntimesAndValues();

    [Theory]
    [MemberData(nameof(RuntimesAndValues))]
    public void A_container_run_through_the_client_and_the_daemon_passes_its_output_and_exit_code_through(string runtime, string? value)
    {
        using var daemon = new DaemonProcess();
        using var bundle = new BusyboxBundle("echo hello from busybox; exit 3", value);
        var runtimePath = Requires.Tool(runtime);

        var result = BusyboxBundle.InPrivateMountNamespace(
            [WarmPath.Client, "--socket", daemon.Socket, "--runtime", runtimePath, "--", "run", "--bundle", bundle.Path, bundle.NewContainerId(runtimePath)]);

        Assert.True(result.ExitCode == 3, $"{result}\ndaemon:\n{daemon.Log}");
        Assert.Equal("hello from busybox\n", result.Stdout);
        daemon.AssertLogs($"sealed {runtimePath} with");
    }

    [Fact]
    public void Runc_started_by_the_client_for_an_independent_copy_runs_from_the_daemons_sealed_memfd()
    {
        using var daemon = new DaemonProcess();
        using var bundle = new BusyboxBundle("exit 0", "independent-data-copy");
        var runc = Requires.Tool("runc");
        var id = bundle.NewContainerId(runc);

        var (created, output) = bundle.Create([WarmPath.Client, "--socket", daemon.Socket, "--runtime", runc, "--", "create", "--bundle", bundle.Path, id]);

        Assert.True(created.ExitCode == 0, output);
        var state = BusyboxBundle.InPrivateMountNamespace([runc, "state", id]);
        var pid = JsonDocument.Parse(state.Stdout).RootElement.GetProperty("pid").GetInt32();
        Assert.Equal("/memfd:exeseal:runc (deleted)", new FileInfo($"/proc/{pid}/exe").LinkTarget);
    }

    [Fact]
    public void Without_a_bundle_the_default_chain_runs_the_program_from_a_read_only_overlay_with_only_descriptors_0_to_2()
    {
        using var daemon = new DaemonProcess();

        var result = WarmPath.RunClient(
            ["--socket", daemon.Socket, "--runtime", Busybox, "--", "sh", "-c", "readlink /proc/$$/exe; busybox ls /proc/$$/fd; exit 7"]);

        Assert.True(result.ExitCode == 7, $"{result}\ndaemon:\n{daemon.Log}");
        Assert.Equal("/busybox\n0\n1\n2\n", result.Stdout);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public void Without_a_daemon_the_client_seals_through_the_exeseal_cli_and_says_so()
    {
        using var directory = new TemporaryDirectory();
        var socket = Path.Combine(directory.Path, "none.sock");

        var result = WarmPath.RunClient(["--socket", socket, "--runtime", Busybox, "--", "sh", "-c", "readlink /proc/$$/exe"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("/busybox\n", result.Stdout);
        Assert.Equal($"exeseal-runtime: no exeseald listens at {socket} (ENOENT); sealing with {Paths.Exeseal} instead\n", result.Stderr);
    }

    [Theory]
    [InlineData("EXESEAL_CONFIG")]
    [InlineData("exeseal_defaultChain__0")]
    public void With_exeseal_configuration_in_its_environment_the_client_lets_the_cli_apply_it_and_says_so(string variable)
    {
        using var daemon = new DaemonProcess();
        using var directory = new TemporaryDirectory();
        var config = Path.Combine(directory.Path, "exeseal.json");
        File.WriteAllText(config, """{ "defaultChain": ["memfd"] }""");

        // Either names the memfd chain: a configuration file, or the setting itself in any case, as the CLI reads it.
        var result = Cli.Run(
            WarmPath.Client,
            ["--socket", daemon.Socket, "--runtime", Busybox, "--", "sh", "-c", "readlink /proc/$$/exe"],
            new Dictionary<string, string> { [variable] = variable == "EXESEAL_CONFIG" ? config : "memfd" });

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("/memfd:exeseal:busybox (deleted)\n", result.Stdout);
        Assert.Equal(
            $"exeseal-runtime: {variable} is set, and exeseald applies only the configuration it started with; sealing with {Paths.Exeseal} instead\n",
            result.Stderr);
        Assert.DoesNotContain("sealed", daemon.Log, StringComparison.Ordinal);
    }

    [Fact]
    public void A_daemon_given_a_descriptor_that_is_not_a_listening_socket_exits_2_with_one_sentence()
    {
        var result = Cli.Run("sh", ["-c", "LISTEN_PID=$$ LISTEN_FDS=1 exec \"$0\" daemon 3</dev/null", Paths.Exeseal]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            "exeseal: cannot accept a connection: Socket operation on non-socket (ENOTSOCK): the descriptor exeseald was given to serve is not a listening socket; check its socket unit\n",
            result.Stderr);
    }

    [Fact]
    public void A_daemon_that_does_not_accept_sends_the_client_to_the_cli_after_its_connect_timeout()
    {
        Requires.Root();
        using var directory = new TemporaryDirectory();
        var socket = Path.Combine(directory.Path, "stuck.sock");

        // A listener that never accepts, with its queue already full: one waiting connection fills a backlog of 0.
        using var listener = UnixSockets.Listen(socket, 0x180, backlog: 0);
        Assert.Equal(0, UnixSockets.TryConnect(socket, TimeSpan.FromSeconds(1), out var waiting));
        using (waiting)
        {
            var result = WarmPath.RunClient(["--socket", socket, "--runtime", Busybox, "--", "sh", "-c", "readlink /proc/$$/exe"]);

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Equal("/busybox\n", result.Stdout);
            Assert.Equal(
                $"exeseal-runtime: exeseald at {socket} did not accept the connection within 5 s; sealing with {Paths.Exeseal} instead\n", result.Stderr);
        }
    }

    [Fact]
    public void Without_a_daemon_or_the_cli_nothing_runs_and_the_client_exits_1()
    {
        using var directory = new TemporaryDirectory();
        var marker = Path.Combine(directory.Path, "ran");

        var result = WarmPath.RunClient(
            ["--socket", Path.Combine(directory.Path, "none.sock"), "--exeseal", "/nonexistent/exeseal", "--runtime", Busybox, "--", "touch", marker]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("the exeseal CLI cannot be used", result.Stderr, StringComparison.Ordinal);
        Assert.EndsWith("nothing was executed\n", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(marker));
    }

    [Theory]
    [InlineData("Independent-Data-Copy", 2)]
    [InlineData("vendor-x", 2)]
    public void The_daemon_answers_a_bad_value_with_the_sentence_and_exit_code_of_the_cli(string value, int exitCode)
    {
        using var daemon = new DaemonProcess();
        using var directory = new TemporaryDirectory();
        var bundle = AnnotatedBundle(directory, value);
        string[] runtimeArguments = ["--runtime", Busybox, "--", "run", "--bundle", bundle, "id"];

        var warm = WarmPath.RunClient(["--socket", daemon.Socket, .. runtimeArguments]);
        var cold = Cli.Exeseal(["runtime", .. runtimeArguments]);

        Assert.Equal(exitCode, cold.ExitCode);
        Assert.Equal(cold.ExitCode, warm.ExitCode);
        Assert.Equal(cold.Stderr.Replace("exeseal: ", "exeseal-runtime: ", StringComparison.Ordinal), warm.Stderr);
        Assert.Equal("", warm.Stdout);
    }

    [Fact]
    public void The_daemon_makes_its_socket_root_only_and_refuses_a_client_that_is_not_root()
    {
        using var daemon = new DaemonProcess();
        var directory = Path.GetDirectoryName(daemon.Socket)!;
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(daemon.Socket));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));

        // Opened up on purpose, so the kernel's SO_PEERCRED answer is what stops the request.
        foreach (var path in new[] { Path.GetDirectoryName(directory)!, directory })
        {
            File.SetUnixFileMode(path, (UnixFileMode)0x1ED); // 0755
        }

        File.SetUnixFileMode(daemon.Socket, (UnixFileMode)0x1B6); // 0666
        var result = Cli.Run(
            Requires.Tool("setpriv"),
            ["--reuid=65534", "--regid=65534", "--clear-groups", WarmPath.Client, "--socket", daemon.Socket, "--runtime", Busybox, "--", "true"]);

        Assert.Equal(3, result.ExitCode);
        Assert.Equal("exeseal-runtime: exeseald serves root only, and this client runs as uid 65534\n", result.Stderr);
        daemon.AssertLogs("refused a request from pid");
    }

    [Fact]
    public void A_client_that_is_not_root_may_not_connect_and_exits_3_without_falling_back_to_the_cli()
    {
        using var daemon = new DaemonProcess();

        // The directories opened up, so the socket's own mode (0600) is what the kernel refuses.
        foreach (var path in new[] { Path.GetDirectoryName(Path.GetDirectoryName(daemon.Socket))!, Path.GetDirectoryName(daemon.Socket)! })
        {
            File.SetUnixFileMode(path, (UnixFileMode)0x1ED); // 0755
        }

        var result = Cli.Run(
            Requires.Tool("setpriv"),
            ["--reuid=65534", "--regid=65534", "--clear-groups", WarmPath.Client, "--socket", daemon.Socket, "--runtime", Busybox, "--", "true"]);

        Assert.Equal(3, result.ExitCode);
        Assert.Equal($"exeseal-runtime: cannot connect to {daemon.Socket}: Permission denied (EACCES); only root may connect to it\n", result.Stderr);
    }

    [Fact]
    public void Sigterm_stops_the_daemon_with_exit_0_and_removes_its_socket()
    {
        var daemon = new DaemonProcess();
        using (daemon)
        {
            Assert.True(File.Exists(daemon.Socket));

            Assert.Equal(0, daemon.Stop());
            Assert.False(File.Exists(daemon.Socket), daemon.Log);
        }
    }

    [Fact]
    public void A_second_daemon_on_a_live_socket_is_refused_and_a_stale_socket_is_replaced()
    {
        using var first = new DaemonProcess();

        var second = Cli.Exeseal("daemon", "--socket", first.Socket);
        Assert.Equal(2, second.ExitCode);
        Assert.Equal($"exeseal: another exeseald already listens at {first.Socket}\n", second.Stderr);

        // A daemon killed outright leaves its socket file; the next one takes its place.
        Assert.Equal(0, Cli.Run("kill", ["-KILL", first.ProcessId.ToString(CultureInfo.InvariantCulture)]).ExitCode);
        first.Stop();
        Assert.True(File.Exists(first.Socket));
        using var next = new DaemonProcess(first.Socket);
        Assert.Equal(0, WarmPath.RunClient(["--socket", next.Socket, "--runtime", Busybox, "--", "true"]).ExitCode);
    }

    [Fact]
    public void Under_systemd_socket_activation_the_daemon_serves_the_socket_it_was_given()
    {
        using var directory = new TemporaryDirectory();
        var socket = Path.Combine(directory.Path, "activated.sock");
        var activate = Requires.Tool("systemd-socket-activate");
        using var daemon = new DaemonProcess(socket, launcher: [activate, "--listen", socket], ready: $"Listening on {socket}");

        var result = WarmPath.RunClient(["--socket", socket, "--runtime", Busybox, "--", "sh", "-c", "echo activated"]);

        Assert.True(result.ExitCode == 0 && result.Stderr.Length == 0, $"{result}\ndaemon:\n{daemon.Log}");
        Assert.Equal("activated\n", result.Stdout);
        daemon.AssertLogs("exeseald listens on the socket systemd passed");
    }

    [Fact]
    public void A_daemon_stopped_under_socket_activation_leaves_the_socket_working_for_the_next_one()
    {
        using var directory = new TemporaryDirectory();
        var socket = Path.Combine(directory.Path, "activated.sock");
        var activate = Requires.Tool("systemd-socket-activate");

        // As systemd does on a restart: the launcher keeps the listening socket and starts exeseald on it twice,
        // each time with LISTEN_PID naming the daemon itself.
        const string TwoDaemons = """for round in 1 2; do sh -c 'LISTEN_PID=$$ exec "$0" "$@"' "$@"; done""";
        using var launcher = new DaemonProcess(socket, launcher: [activate, "--listen", socket, "sh", "-c", TwoDaemons, "sh"], ready: $"Listening on {socket}");
        string[] request = ["--socket", socket, "--runtime", Busybox, "--", "true"];

        var first = WarmPath.RunClient(request);
        var firstDaemon = launcher.OnlyChild();
        Assert.Equal(0, Cli.Run("kill", ["-TERM", firstDaemon.ToString(CultureInfo.InvariantCulture)]).ExitCode);
        launcher.AssertLogs("exeseald stopped");
        var second = WarmPath.RunClient(request);
        var secondDaemon = launcher.OnlyChild();
        Assert.Equal(0, Cli.Run("kill", ["-TERM", secondDaemon.ToString(CultureInfo.InvariantCulture)]).ExitCode);

        Assert.True(first.ExitCode == 0 && first.Stderr.Length == 0, $"{first}\nlog:\n{launcher.Log}");
        Assert.True(second.ExitCode == 0 && second.Stderr.Length == 0, $"{second}\nlog:\n{launcher.Log}");
        Assert.NotEqual(firstDaemon, secondDaemon);
        Assert.Equal(0, launcher.ExitCode());
        Assert.Equal(2, launcher.Log.Split("sealed /bin/busybox with").Length - 1);
    }

    [Fact]
    public void A_hundred_requests_leave_no_descriptor_or_state_directory_behind_in_the_daemon()
    {
        using var directory = new TemporaryDirectory();
        var stateRoot = Path.Combine(directory.Path, "state");
        var config = Path.Combine(directory.Path, "exeseal.json");
        File.WriteAllText(config, $$"""{"stateRoot": "{{stateRoot}}"}""");
        using var daemon = new DaemonProcess(extraArguments: ["--config", config]);
        var bundle = AnnotatedBundle(directory, "independent-data-copy");
        Assert.Equal(0, WarmPath.RunClient(["--socket", daemon.Socket, "--runtime", Busybox, "--", "true"]).ExitCode);
        var before = daemon.SettledDescriptorCount();

        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(0, WarmPath.RunClient(["--socket", daemon.Socket, "--runtime", Busybox, "--", "true"]).ExitCode);
            Assert.Equal(0, WarmPath.RunClient(["--socket", daemon.Socket, "--runtime", "/bin/true", "--", "run", "--bundle", bundle, "id"]).ExitCode);
        }

        // A detached overlay mount lives as long as a descriptor to it: counting descriptors counts those too.
        Assert.Equal(before, daemon.SettledDescriptorCount());
        Assert.Empty(Directory.GetFileSystemEntries(stateRoot));
    }

    public static TheoryData<string, int, string, string> BrokenRequests() => new()
    {
        { "two descriptors", 2, """{"path":"/bin/busybox","cloneSelfExe":null}""", "the peer sent more than one descriptor with a message; refused" },
        { "no descriptor", 0, """{"path":"/bin/busybox","cloneSelfExe":null}""", "the request for /bin/busybox came without its descriptor" },
        { "an unknown field", 1, """{"path":"/bin/busybox","cloneSelfExe":null,"protocol":2}""", "the peer sent a malformed message" },
        { "no cloneSelfExe", 1, """{"path":"/bin/busybox"}""", "the peer sent a malformed message" },
        { "not JSON", 1, "seal please", "the peer sent a malformed message" },
        { "a length of 0", 1, "", "the peer announced a message of 0 bytes" },
    };

    [Theory]
    [MemberData(nameof(BrokenRequests))]
    public void A_broken_request_is_answered_or_dropped_and_the_daemon_keeps_none_of_its_descriptors(
        string broken, int descriptorCount, string payload, string logged)
    {
        using var daemon = new DaemonProcess();
        Assert.Equal(0, WarmPath.RunClient(["--socket", daemon.Socket, "--runtime", Busybox, "--", "true"]).ExitCode);
        var before = daemon.SettledDescriptorCount();
        var descriptors = Enumerable.Range(0, descriptorCount).Select(_ => File.OpenHandle(Busybox)).ToList();

        string reply;
        using (var client = new RawSealClient(daemon.Socket))
        {
            client.Send(payload, descriptors);
            reply = client.ReadToEnd();
        }

        descriptors.ForEach(descriptor => descriptor.Dispose());
        daemon.AssertLogs(logged);
        Assert.True(before == daemon.SettledDescriptorCount(), $"{broken}: the daemon holds more descriptors than before\n{daemon.Log}");
        if (descriptorCount == 0)
        {
            Assert.Equal(2, JsonDocument.Parse(reply).RootElement.GetProperty("exitCode").GetInt32());
        }
        else
        {
            Assert.Equal("", reply);
        }
    }

    [Fact]
    public void An_explicit_value_that_fails_in_the_daemon_exits_1_without_falling_back_and_nothing_runs()
    {
        using var directory = new TemporaryDirectory();
        var config = Path.Combine(directory.Path, "exeseal.json");
        File.WriteAllText(config, """{ "modes": { "slow": ["hangs-in-seal"] }, "allowedModes": ["slow"], "sealTimeouts": { "hangs-in-seal": 0.5 } }""");
        using var daemon = new DaemonProcess(extraArguments: ["--config", config, "--plugins", Paths.TestPlugins]);
        var bundle = AnnotatedBundle(directory, "slow");

        // /bin/true as the runtime: had it run, the client would exit 0.
        var result = WarmPath.RunClient(["--socket", daemon.Socket, "--runtime", "/bin/true", "--", "run", "--bundle", bundle, "id"]);

        Assert.True(result.ExitCode == 1, $"{result}\ndaemon:\n{daemon.Log}");
        Assert.StartsWith("exeseal-runtime: cannot seal /bin/true with clone-self-exe value \"slow\" (hangs-in-seal)", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("instead", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Systemd_accepts_the_sample_units_without_a_warning()
    {
        var analyze = Requires.Tool("systemd-analyze");
        using var directory = new TemporaryDirectory();
        var samples = Path.Combine(Paths.Repository, "samples", "systemd");
        File.Copy(Path.Combine(samples, "exeseald.socket"), Path.Combine(directory.Path, "exeseald.socket"));

        // systemd checks that ExecStart's program exists: the unit is pointed at the exeseal just built.
        File.WriteAllText(
            Path.Combine(directory.Path, "exeseald.service"),
            File.ReadAllText(Path.Combine(samples, "exeseald.service")).Replace("/usr/local/lib/exeseal/exeseal", Paths.Exeseal, StringComparison.Ordinal));
        var result = Cli.Run(analyze, ["verify", Path.Combine(directory.Path, "exeseald.socket"), Path.Combine(directory.Path, "exeseald.service")]);

        Assert.True(result.ExitCode == 0 && result.Stderr.Length == 0, result.ToString());
        Assert.Contains("ExecStart=/usr/local/lib/exeseal/exeseal daemon", File.ReadAllText(Path.Combine(samples, "exeseald.service")), StringComparison.Ordinal);
        Assert.Contains("ListenStream=" + "/run/exeseal/exeseald.sock", File.ReadAllText(Path.Combine(samples, "exeseald.socket")), StringComparison.Ordinal);
    }

    [Fact]
    public void Help_explains_the_client_and_bad_usage_exits_2_with_one_sentence()
    {
        var help = WarmPath.RunClient(["--help"]);
        var missing = WarmPath.RunClient(["--", "run"]);
        var unknown = WarmPath.RunClient(["--bundle", "/b", "--runtime", "runc"]);

        Assert.Equal(0, help.ExitCode);
        Assert.Contains("Usage: exeseal-runtime [--socket PATH] [--exeseal PATH] --runtime RUNTIME -- ARGS...", help.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, missing.ExitCode);
        Assert.StartsWith("exeseal-runtime: --runtime is required", missing.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Equal("exeseal-runtime: unknown option \"--bundle\" (known: --runtime, --socket, --exeseal, --help); the runtime's own arguments go after --\n", unknown.Stderr);
    }

    // A bundle with nothing but the clone-self-exe annotation: all the client reads of it before sealing.
    private static string AnnotatedBundle(TemporaryDirectory directory, string value)
    {
        var bundle = Path.Combine(directory.Path, "bundle");
        Directory.CreateDirectory(bundle);
        File.WriteAllText(Path.Combine(bundle, "config.json"), $$$"""{"annotations":{"org.opencontainers.runc.clone-self-exe":"{{{value}}}"}}""");
        return bundle;
    }
}
