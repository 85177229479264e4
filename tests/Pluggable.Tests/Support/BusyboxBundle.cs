using System.Text.Json.Nodes;

namespace Pluggable.Tests.Support;

/// <summary>
/// An OCI bundle made by <c>runc spec</c> with a busybox root filesystem: the container a runtime runs in the
/// integration tests. Containers are created with unique ids and deleted with the bundle.
/// </summary>
public sealed class BusyboxBundle : IDisposable
{
    private readonly TemporaryDirectory directory = new();
    private readonly List<(string Runtime, string Id)> containers = [];

    public BusyboxBundle(string shellCommand, string? cloneSelfExe)
    {
        Requires.Root();
        var runc = Requires.Tool("runc");
        var busybox = Requires.Tool("busybox");
        Path = directory.Path;
        Assert.Equal(0, Cli.Run(runc, ["spec", "--bundle", Path]).ExitCode);
        var bin = System.IO.Path.Combine(Path, "rootfs", "bin");
        Directory.CreateDirectory(bin);
        foreach (var mountPoint in new[] { "proc", "dev", "sys", "tmp" })
        {
            Directory.CreateDirectory(System.IO.Path.Combine(Path, "rootfs", mountPoint));
        }

        File.Copy(busybox, System.IO.Path.Combine(bin, "busybox"));
        File.CreateSymbolicLink(System.IO.Path.Combine(bin, "sh"), "busybox");
        var configPath = System.IO.Path.Combine(Path, "config.json");
        var config = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        config["process"]!["terminal"] = false;
        config["process"]!["args"] = new JsonArray("sh", "-c", shellCommand);
        config["annotations"] = cloneSelfExe is null
            ? new JsonObject()
            : new JsonObject { ["org.opencontainers.runc.clone-self-exe"] = cloneSelfExe };
        File.WriteAllText(configPath, config.ToJsonString());
    }

    public string Path { get; }

    public string NewContainerId(string runtime)
    {
        var id = "exeseal-test-" + Guid.NewGuid().ToString("N")[..12];
        containers.Add((runtime, id));
        return id;
    }

    /// <summary>
    /// Runs a command line in a private mount namespace without the cgroup v2 hierarchy of a hybrid host: crun
    /// 1.8 refuses hybrid cgroups ("cgroups in hybrid mode not supported"), runc does not mind either way.
    /// </summary>
    public static CommandResult InPrivateMountNamespace(IEnumerable<string> command, string? outputFile = null)
    {
        var quoted = string.Join(' ', command.Select(argument => "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
        var redirect = outputFile is null ? "" : $" >'{outputFile}' 2>&1";
        return Cli.Run(Requires.Tool("unshare"), ["-m", "sh", "-c", $"umount /sys/fs/cgroup/unified 2>/dev/null; exec {quoted}{redirect}"]);
    }

    /// <summary>
    /// Creates a container and leaves it waiting in "created". Its first process inherits the runtime's stdout
    /// and stderr, so they go to a file in the bundle instead of pipes the test would wait on forever.
    /// </summary>
    public (CommandResult Result, string Output) Create(IEnumerable<string> command)
    {
        var log = System.IO.Path.Combine(Path, "create.log");
        var result = InPrivateMountNamespace(command, log);
        return (result, File.ReadAllText(log));
    }

    public void Dispose()
    {
        foreach (var (runtime, id) in containers)
        {
            InPrivateMountNamespace([runtime, "delete", "-f", id]);
        }

        directory.Dispose();
    }
}
