using Pluggable.Tests.Support;

namespace Pluggable.Tests;

/// <summary>
/// Plugin trust as root: every layout here is built explicitly under a fresh directory, so the test plugin folders
/// of the clone itself stay trusted.
/// </summary>
public sealed class PluginTrustTests
{
    private const string Plugin = "Pluggable.TestPlugins.Misbehaving";
    private const UnixFileMode Mode0755 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    public static TheoryData<string, string> UntrustedLayouts() => new()
    {
        { "the plugin directory is writable by others", "plugins is writable by group or others (mode 0757)" },
        { "the plugin directory is sticky and writable by all", "plugins is writable by group or others (mode 1777)" },
        { "the plugin's assembly is writable by its group", $"{Plugin}.dll is writable by group or others (mode 0664)" },
        { "a dependency file of the plugin is writable by others", $"{Plugin}.deps.json is writable by group or others (mode 0646)" },
        { "the plugin's folder belongs to nobody", $"{Plugin} is owned by uid 65534, not root" },
        { "the plugin directory belongs to nobody", "plugins is owned by uid 65534, not root" },
        { "a directory above the plugin directory is writable by its group", "above is writable by group or others (mode 0775)" },
        { "a directory above the plugin directory belongs to nobody", "above is owned by uid 65534, not root" },
        { "the plugin directory is a link to a writable directory", "target is writable by group or others (mode 0777)" },
        { "the plugin directory is a link owned by nobody", "link is a symbolic link owned by uid 65534, not root" },
    };

    [Theory]
    [MemberData(nameof(UntrustedLayouts))]
    public void An_untrusted_plugin_is_listed_with_its_path_and_reason_and_a_chain_that_needs_it_exits_3(string layout, string reason)
    {
        Requires.Root();
        using var directory = new TemporaryDirectory();
        var plugins = Build(directory.Path, layout);
        var config = Path.Combine(directory.Path, "exeseal.json");
        File.WriteAllText(config, """{ "modes": { "needs-it": ["always-fails"] }, "allowedModes": ["needs-it"] }""");

        var listed = Cli.Exeseal("providers", "--format", "json", "--plugins", plugins);
        var byMode = Cli.Exeseal("seal", "/bin/true", "--config", config, "--plugins", plugins, "--mode", "needs-it");
        var byProvider = Cli.Exeseal("seal", "/bin/true", "--plugins", plugins, "--provider", "always-fails");
        var byDefault = Cli.Exeseal("seal", "/bin/true", "--config", config, "--plugins", plugins, "--mode", "");

        Assert.Equal(0, listed.ExitCode);
        var error = Json.Parse(listed).GetProperty("errors").EnumerateArray().Single(e => e.Text("plugin").EndsWith($"{Plugin}.dll", StringComparison.Ordinal));
        Assert.StartsWith("refused: ", error.Text("message"), StringComparison.Ordinal);
        Assert.Contains($"/{reason}", error.Text("message"), StringComparison.Ordinal);
        Assert.DoesNotContain("always-fails", listed.Stdout, StringComparison.Ordinal);
        Assert.True(byMode.ExitCode == 3, byMode.ToString());
        Assert.Contains("refused by policy: its chain needs provider always-fails, whose plugin ", byMode.Stderr, StringComparison.Ordinal);
        Assert.Contains(reason, byMode.Stderr, StringComparison.Ordinal);
        Assert.True(byProvider.ExitCode == 3, byProvider.ToString());
        Assert.Contains(reason, byProvider.Stderr, StringComparison.Ordinal);
        Assert.True(byDefault.ExitCode == 0, byDefault.ToString());
    }

    public static TheoryData<string> TrustedLayouts() => new(
    [
        "root-owned, writable only by root",
        "below a sticky directory writable by all",
        "a root-owned link to a trusted directory",
    ]);

    [Theory]
    [MemberData(nameof(TrustedLayouts))]
    public void A_trusted_plugin_loads(string layout)
    {
        Requires.Root();
        using var directory = new TemporaryDirectory();
        var plugins = Build(directory.Path, layout);

        var sealedFile = Cli.Exeseal("seal", "/bin/true", "--plugins", plugins, "--provider", "always-fails");

        Assert.True(sealedFile.ExitCode == 1, sealedFile.ToString());
        Assert.Contains("always-fails failed on purpose", sealedFile.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void The_built_in_and_test_plugin_folders_of_a_root_owned_clone_are_trusted()
    {
        var listed = Cli.Exeseal("providers", "--format", "json", "--plugins", Paths.TestPlugins);

        Assert.Equal(0, listed.ExitCode);
        Assert.DoesNotContain("refused: ", listed.Stdout, StringComparison.Ordinal);
    }

    // Returns the plugin directory to pass to --plugins, holding a copy of the misbehaving test plugin.
    private static string Build(string scratch, string layout)
    {
        var above = Path.Combine(scratch, "above");
        var plugins = Path.Combine(above, "plugins");
        var pluginDirectory = plugins;
        if (layout.Contains("link", StringComparison.Ordinal))
        {
            plugins = Path.Combine(above, "target");
            pluginDirectory = Path.Combine(above, "link");
        }

        var folder = Path.Combine(plugins, Plugin);
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(Path.Combine(Paths.TestPlugins, Plugin)))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }

        foreach (var path in new[] { above, plugins, folder })
        {
            File.SetUnixFileMode(path, Mode0755);
        }

        if (pluginDirectory != plugins)
        {
            File.CreateSymbolicLink(pluginDirectory, plugins);
        }

        var dll = Path.Combine(folder, Plugin + ".dll");
        switch (layout)
        {
            case "the plugin directory is writable by others":
                File.SetUnixFileMode(plugins, Mode0755 | UnixFileMode.OtherWrite);
                break;
            case "the plugin directory is sticky and writable by all":
            case "below a sticky directory writable by all":
                var sticky = layout.StartsWith("below", StringComparison.Ordinal) ? above : plugins;
                File.SetUnixFileMode(sticky, Mode0755 | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite | UnixFileMode.StickyBit);
                break;
            case "the plugin's assembly is writable by its group":
                File.SetUnixFileMode(dll, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead);
                break;
            case "a dependency file of the plugin is writable by others":
                File.SetUnixFileMode(Path.Combine(folder, Plugin + ".deps.json"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
                break;
            case "the plugin's folder belongs to nobody":
                Chown(folder);
                break;
            case "the plugin directory belongs to nobody":
                Chown(plugins);
                break;
            case "a directory above the plugin directory is writable by its group":
                File.SetUnixFileMode(above, Mode0755 | UnixFileMode.GroupWrite);
                break;
            case "a directory above the plugin directory belongs to nobody":
                Chown(above);
                break;
            case "the plugin directory is a link to a writable directory":
                File.SetUnixFileMode(plugins, Mode0755 | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite);
                break;
            case "the plugin directory is a link owned by nobody":
                Chown(pluginDirectory, "-h");
                break;
            case "root-owned, writable only by root":
            case "a root-owned link to a trusted directory":
                break;
            default:
                throw new ArgumentException($"no such layout: {layout}", nameof(layout));
        }

        return pluginDirectory;
    }

    private static void Chown(string path, string option = "--")
    {
        var result = Cli.Run(Requires.Tool("chown"), [option, "65534", path]);
        Assert.True(result.ExitCode == 0, result.ToString());
    }
}
