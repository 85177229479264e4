using System.Text.Json;
using Pluggable.Tests.Support;

namespace Pluggable.Tests;

public sealed class PluginDiscoveryTests
{
    [Fact]
    public void Broken_plugins_are_listed_under_errors_while_memfd_keeps_working()
    {
        using var plugins = new TemporaryDirectory();
        Directory.CreateDirectory(Path.Combine(plugins.Path, "Corrupt"));
        File.WriteAllText(Path.Combine(plugins.Path, "Corrupt", "Corrupt.dll"), "this is not an assembly");

        var listed = Cli.Exeseal("providers", "--format", "json", "--plugins", Paths.TestPlugins, "--plugins", plugins.Path);
        var sealedFile = Cli.Exeseal("seal", "/bin/true", "--mode", "independent-data-copy", "--plugins", Paths.TestPlugins, "--plugins", plugins.Path, "--format", "json");

        Assert.Equal(0, listed.ExitCode);
        using var json = JsonDocument.Parse(listed.Stdout);
        var errors = json.RootElement.GetProperty("errors").EnumerateArray()
            .Select(e => (Plugin: e.GetProperty("plugin").GetString()!, Message: e.GetProperty("message").GetString()!))
            .ToList();
        Assert.Contains(errors, e => e.Plugin.EndsWith("Corrupt/Corrupt.dll", StringComparison.Ordinal) && e.Message.StartsWith("cannot load", StringComparison.Ordinal));
        Assert.Contains(errors, e =>
            e.Message.StartsWith("provider throws-in-constructor from ", StringComparison.Ordinal)
            && e.Message.EndsWith("could not be constructed: constructor failed on purpose", StringComparison.Ordinal));
        var providers = json.RootElement.GetProperty("providers").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        Assert.Contains("memfd", providers);
        Assert.DoesNotContain("throws-in-constructor", providers);
        Assert.Equal(0, sealedFile.ExitCode);
        Assert.Contains("\"provider\": \"memfd\"", sealedFile.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_plugin_directory_that_does_not_exist_is_not_an_error()
    {
        var result = Cli.Exeseal("providers", "--plugins", "/nonexistent/exeseal-plugins");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("memfd", result.Stdout, StringComparison.Ordinal);
    }
}
