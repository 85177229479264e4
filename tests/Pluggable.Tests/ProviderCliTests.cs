using System.Text.Json;
using Pluggable.Tests.Support;

namespace Pluggable.Tests;

public sealed class ProviderCliTests
{
    private static readonly string[] Nobody = ["--reuid=65534", "--regid=65534", "--clear-groups"];

    [Fact]
    public void Providers_lists_the_four_built_in_providers_with_their_guarantees_and_ro_bind_as_experimental()
    {
        Requires.Root();

        var result = Cli.Exeseal("providers", "--format", "json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        var providers = json.RootElement.GetProperty("providers").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.Equal(["memfd", "overlayfs", "ro-bind", "tmpfile"], providers.Keys.Order(StringComparer.Ordinal));
        Assert.All(providers.Values, p => Assert.True(p.GetProperty("available").GetBoolean(), p.ToString()));
        Assert.Equal("independent-data-copy", providers["tmpfile"].GetProperty("guarantee").GetString());
        Assert.Equal("ro-shared-page", providers["overlayfs"].GetProperty("guarantee").GetString());
        Assert.Equal("ro-shared-page", providers["ro-bind"].GetProperty("guarantee").GetString());
        Assert.True(providers["ro-bind"].GetProperty("experimental").GetBoolean());
        Assert.False(providers["overlayfs"].GetProperty("experimental").GetBoolean());
        Assert.Contains("CAP_SYS_ADMIN", providers["ro-bind"].GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("memfd", "independent-data-copy", false)]
    [InlineData("tmpfile", "independent-data-copy", false)]
    [InlineData("overlayfs", "ro-shared-page", true)]
    [InlineData("ro-bind", "ro-shared-page", true)]
    public void Seal_with_the_provider_reports_it_its_guarantee_the_size_and_the_read_only_mount(string provider, string guarantee, bool readOnlyMount)
    {
        ProviderGuaranteeTests.RequiresPrivilegeFor(provider);

        var result = Cli.Exeseal("seal", "--provider", provider, "/usr/bin/ls", "--format", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.Equal(provider, root.GetProperty("provider").GetString());
        Assert.Equal(guarantee, root.GetProperty("guarantee").GetString());
        Assert.Equal(new FileInfo("/usr/bin/ls").Length, root.GetProperty("size").GetInt64());
        Assert.Equal(readOnlyMount, root.GetProperty("readOnlyMount").GetBoolean());
    }

    [Fact]
    public void An_unprivileged_user_sees_overlayfs_and_ro_bind_unavailable_for_want_of_CAP_SYS_ADMIN_and_memfd_still_seals()
    {
        Requires.Root();
        var setpriv = Requires.Tool("setpriv");

        var listed = Cli.Run(setpriv, [.. Nobody, Paths.Exeseal, "providers", "--format", "json"]);
        var sealedFile = Cli.Run(setpriv, [.. Nobody, Paths.Exeseal, "seal", "--provider", "memfd", "/bin/true", "--format", "json"]);

        Assert.True(listed.ExitCode == 0, listed.ToString());
        using var json = JsonDocument.Parse(listed.Stdout);
        var providers = json.RootElement.GetProperty("providers").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        foreach (var name in new[] { "overlayfs", "ro-bind" })
        {
            Assert.False(providers[name].GetProperty("available").GetBoolean());
            Assert.StartsWith("no CAP_SYS_ADMIN", providers[name].GetProperty("reason").GetString(), StringComparison.Ordinal);
        }

        Assert.True(providers["memfd"].GetProperty("available").GetBoolean());
        Assert.True(providers["tmpfile"].GetProperty("available").GetBoolean());
        Assert.True(sealedFile.ExitCode == 0, sealedFile.ToString());
        using var seal = JsonDocument.Parse(sealedFile.Stdout);
        Assert.Equal("memfd", seal.RootElement.GetProperty("provider").GetString());
        Assert.Equal(15, seal.RootElement.GetProperty("seals").GetInt32());
    }

    [Fact]
    public void An_unprivileged_user_who_forces_overlayfs_gets_exit_1_with_the_probes_reason_and_nothing_runs()
    {
        Requires.Root();
        var setpriv = Requires.Tool("setpriv");

        var result = Cli.Run(setpriv, [.. Nobody, Paths.Exeseal, "exec", "--provider", "overlayfs", "--", "/bin/echo", "must not run"]);

        Assert.Equal(1, result.ExitCode);
        Assert.DoesNotContain("must not run", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("overlayfs is not available here: no CAP_SYS_ADMIN", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Overlayfs_seals_a_program_whose_directory_name_holds_a_colon_and_a_backslash()
    {
        Requires.Root();
        using var directory = new TemporaryDirectory();
        var awkward = Directory.CreateDirectory(Path.Combine(directory.Path, "a:b\\c,d")).FullName;
        var program = Path.Combine(awkward, "echo");
        File.Copy("/bin/echo", program);

        var result = Cli.Exeseal("exec", "--provider", "overlayfs", "--", program, "sealed");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("sealed\n", result.Stdout);
    }

    [Fact]
    public void Tmpfile_seals_for_an_unprivileged_user_too()
    {
        Requires.Root();
        var setpriv = Requires.Tool("setpriv");

        var result = Cli.Run(setpriv, [.. Nobody, Paths.Exeseal, "exec", "--provider", "tmpfile", "--", "/bin/sh", "-c", "readlink /proc/$$/exe"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches("^/.*/#[0-9]+ \\(deleted\\)$", result.Stdout.TrimEnd('\n'));
    }

    [Fact]
    public void Tmpfile_skips_a_state_directory_on_a_noexec_mount_and_runs_from_a_copy_elsewhere()
    {
        Requires.Root();
        var unshare = Requires.Tool("unshare");
        // In a private mount namespace, so the noexec /run is seen by that exeseal alone.
        var script = "mount -t tmpfs -o noexec exeseal-test /run && exec \"$0\" exec --provider tmpfile -- /bin/sh -c 'readlink /proc/$$/exe'";

        var result = Cli.Run(unshare, ["--mount", "--propagation", "private", "/bin/sh", "-c", script, Paths.Exeseal]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotMatch("^/run/", result.Stdout);
        Assert.Matches("^/.*/#[0-9]+ \\(deleted\\)$", result.Stdout.TrimEnd('\n'));
    }
}
