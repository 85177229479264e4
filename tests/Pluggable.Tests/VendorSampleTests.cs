using System.Security.Cryptography;
using System.Text.Json;
using Pluggable.Tests.Support;

namespace Pluggable.Tests;

[Collection(nameof(ContractPackages))]
public sealed class VendorSampleTests(VendorSample sample)
{
    private static readonly string[] AllowedModes = ["independent-data-copy", "ro-shared-page", "vendor-pinned"];

    [Fact]
    public void The_sample_is_built_from_the_contract_packages_and_ships_no_copy_of_them()
    {
        var files = Directory.GetFiles(sample.Plugin).Select(Path.GetFileName).ToList();

        Assert.Contains("VendorProvider.dll", files);
        Assert.DoesNotContain("Pluggable.Abstractions.dll", files);
        Assert.DoesNotContain("Pluggable.Linux.dll", files);
        var assets = File.ReadAllText(Path.Combine(Paths.Repository, "samples", "VendorProvider", "obj", "project.assets.json"));
        Assert.Contains("\"Pluggable.Abstractions/1.0.0\"", assets, StringComparison.Ordinal);
        Assert.Contains("\"type\": \"package\"", assets, StringComparison.Ordinal);
        Assert.DoesNotContain("\"type\": \"project\"", assets, StringComparison.Ordinal);
    }

    [Fact]
    public void Exeseal_providers_lists_digest_pinned_from_the_installed_plugin()
    {
        var result = Cli.Exeseal("providers", "--plugins", sample.PluginDirectory, "--format", "json");

        Assert.Equal(0, result.ExitCode);
        var json = Json.Parse(result);
        var provider = json.GetProperty("providers").EnumerateArray().Single(p => p.Text("name") == "digest-pinned");
        Assert.True(provider.GetProperty("available").GetBoolean());
        Assert.Equal("1.0.0", provider.Text("version"));
        Assert.Equal(Path.Combine(sample.Plugin, "VendorProvider.dll"), provider.Text("plugin"));
        Assert.Empty(json.GetProperty("errors").EnumerateArray());
    }

    [Fact]
    public void A_new_annotation_value_mapped_to_digest_pinned_then_memfd_seals_through_the_vendors_provider()
    {
        var config = Config("/bin/true", Digest("/bin/true"), ["digest-pinned", "memfd"]);

        var result = Cli.Exeseal("seal", "/bin/true", "--plugins", sample.PluginDirectory, "--config", config, "--mode", "vendor-pinned", "--format", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = Json.Parse(result);
        Assert.Equal("digest-pinned", json.Text("provider"));
        Assert.Equal("vendor-pinned", json.Text("mode"));
        Assert.Equal(15, json.GetProperty("seals").GetInt32());
        Assert.Equal(["digest-pinned"], json.Providers());
    }

    [Fact]
    public void A_binary_whose_digest_is_not_the_pinned_one_is_refused_and_nothing_is_sealed()
    {
        var config = Config("/bin/true", Digest("/bin/false"), ["digest-pinned"]);

        var result = Cli.Exeseal("seal", "/bin/true", "--plugins", sample.PluginDirectory, "--config", config, "--mode", "vendor-pinned");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"not the {Digest("/bin/false")} pinned in providers.digest-pinned.digests", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_plugin_built_against_a_newer_major_contract_version_is_refused_with_the_remedy()
    {
        var plugins = Path.Combine(sample.Scratch, "newer-contract");
        var plugin = Path.Combine(plugins, "VendorProvider");
        Directory.CreateDirectory(plugin);
        foreach (var file in Directory.GetFiles(sample.Plugin))
        {
            File.Copy(file, Path.Combine(plugin, Path.GetFileName(file)), overwrite: true);
        }

        ContractReference.SetMajor(Path.Combine(plugin, "VendorProvider.dll"), "Pluggable.Abstractions", 2);
        Assert.Equal(2, ContractReference.Of(Path.Combine(plugin, "VendorProvider.dll"), "Pluggable.Abstractions").Major);

        var result = Cli.Exeseal("providers", "--plugins", plugins, "--format", "json");

        Assert.Equal(0, result.ExitCode);
        var json = Json.Parse(result);
        Assert.DoesNotContain(json.GetProperty("providers").EnumerateArray(), p => p.Text("name") == "digest-pinned");
        var error = Assert.Single(json.GetProperty("errors").EnumerateArray());
        Assert.Equal(
            "refused: built against Pluggable.Abstractions 2.0.0, a newer major version of the contract than this exeseal's 1.0.0; "
            + "upgrade exeseal, or install a build of the plugin for contract 1.x",
            error.Text("message"));
    }

    private string Config(string path, string digest, string[] chain)
    {
        var file = Path.Combine(sample.Scratch, $"exeseal-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["modes"] = new Dictionary<string, string[]> { ["vendor-pinned"] = chain },
            ["allowedModes"] = AllowedModes,
            ["providers"] = new Dictionary<string, object>
            {
                ["digest-pinned"] = new Dictionary<string, object> { ["digests"] = new Dictionary<string, string> { [path] = digest } },
            },
        }));
        return file;
    }

    private static string Digest(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
}
