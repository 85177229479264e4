using System.Text;
using System.Text.RegularExpressions;
using Pluggable.Tests.Support;

namespace Pluggable.Tests;

/// <summary>
/// Every shell command in docs/ is run: the <c>sh</c> blocks of a page, in order, as one bash script from the
/// root of the repository, so that a page that no longer works fails here. <c>sh cluster</c> blocks need a
/// cluster and a node's init system; only their syntax is checked.
/// </summary>
[Collection(nameof(ContractPackages))]
public sealed partial class DocumentationTests : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    public static TheoryData<string> Pages() => new(Directory.GetFiles(Path.Combine(Paths.Repository, "docs"), "*.md")
        .Select(Path.GetFileName).OfType<string>().Where(page => Blocks(page).Any()).Order(StringComparer.Ordinal));

    [Fact]
    public void The_vendors_guide_takes_a_new_provider_from_a_clean_clone_to_exeseal_seal() =>
        RunPage("vendors.md", "acme-copy  independent-data-copy", "\"provider\": \"acme-copy\"", "/memfd:acme:sealed-by-acme", "\"provider\": \"digest-pinned\"");

    [Fact]
    public void The_operators_guide_installs_configures_and_troubleshoots() =>
        RunPage("operators.md", "digest-pinned  independent-data-copy", "sealed /bin/true with digest-pinned");

    [Fact]
    public void The_kubernetes_guide_builds_a_node_bundle_with_the_wrapper() =>
        RunPage("deploy-kubernetes.md", "./usr/local/bin/runc-sealed");

    [Fact]
    public void The_warm_path_guide_runs_the_daemon_and_its_client_and_shows_the_fallback()
    {
        Requires.Root();
        Requires.Tool("busybox");

        RunPage(
            "warm-path.md",
            "socket mode 600",
            "running from /busybox",
            "with overlayfs in",
            "exeseald exited 0",
            "sealing with",
            "still sealed: /busybox");
    }

    [Fact]
    public void The_runtimes_guide_runs_containers_through_the_wrapper_with_runc_and_crun()
    {
        Requires.Root();
        Requires.Tool("runc");
        Requires.Tool("crun");
        Requires.Tool("busybox");

        RunPage(
            "runtimes.md",
            "hello from busybox",
            "runc, value '': exit 3",
            "runc, value 'independent-data-copy': exit 3",
            "runc, value 'ro-shared-page': exit 3",
            ": sealed-memfd, seals 0xf (SEAL|SHRINK|GROW|WRITE) (protected)",
            "hello from crun",
            "crun, value 'ro-shared-page': exit 4");
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void Every_shell_block_of_a_page_is_run_or_needs_a_cluster_and_parses(string page)
    {
        foreach (var (info, script) in Blocks(page))
        {
            Assert.True(info is "" or "cluster", $"{page}: a ```sh {info} block is neither run nor marked cluster");
            if (info == "cluster")
            {
                var file = Path.Combine(directory.Path, "cluster.sh");
                File.WriteAllText(file, script);
                var result = Cli.Run("bash", ["-n", file]);
                Assert.True(result.ExitCode == 0, $"{page}: {script}\n{result}");
            }
        }
    }

    [Theory]
    [InlineData("providers")]
    [InlineData("modes")]
    [InlineData("seal")]
    [InlineData("exec")]
    [InlineData("verify")]
    [InlineData("runtime")]
    public void Each_commands_help_shows_an_example(string command)
    {
        var result = Cli.Exeseal(command, "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"Example: exeseal {command}", result.Stdout, StringComparison.Ordinal);
    }

    private void RunPage(string page, params string[] expected)
    {
        var script = new StringBuilder()
            .AppendLine("set -euo pipefail")
            .AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"cd '{Paths.Repository}'");
        foreach (var (_, block) in Blocks(page).Where(b => b.Info.Length == 0))
        {
            script.AppendLine(block);
        }

        var file = Path.Combine(directory.Path, Path.ChangeExtension(page, ".sh"));
        File.WriteAllText(file, script.ToString());
        var environment = Dotnet.Environment(new Dictionary<string, string> { ["DESTDIR"] = Path.Combine(directory.Path, "root") });

        var result = Cli.Run("bash", [file], environment, limit: Dotnet.Limit);

        Assert.True(result.ExitCode == 0, $"docs/{page}, run as {file}:\n{result}");
        foreach (var text in expected)
        {
            Assert.Contains(text, result.Stdout, StringComparison.Ordinal);
        }
    }

    private static IEnumerable<(string Info, string Script)> Blocks(string page) =>
        ShellBlock().Matches(File.ReadAllText(Path.Combine(Paths.Repository, "docs", page)))
            .Select(match => (match.Groups["info"].Value.Trim(), match.Groups["script"].Value));

    [GeneratedRegex(@"^```sh(?<info>[^\n]*)\n(?<script>.*?)^```$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex ShellBlock();

    public void Dispose() => directory.Dispose();
}
