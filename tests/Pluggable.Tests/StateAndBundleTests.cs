using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pluggable.Linux;
using Pluggable.Tests.Support;

namespace Pluggable.Tests;

public sealed class StateAndBundleTests : IDisposable
{
    private const string Annotation = "org.opencontainers.runc.clone-self-exe";
    private readonly TemporaryDirectory directory = new();

    public void Dispose() => directory.Dispose();

    private string RuncBundle(IDictionary<string, string> annotations)
    {
        var runc = Requires.Tool("runc");
        var bundle = Path.Combine(directory.Path, "bundle");
        Directory.CreateDirectory(bundle);
        var spec = Cli.Run(runc, ["spec", "--bundle", bundle]);
        Assert.Equal(0, spec.ExitCode);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(bundle, "config.json")))!.AsObject();
        config["annotations"] = new JsonObject(annotations.Select(pair => KeyValuePair.Create(pair.Key, (JsonNode?)pair.Value)));
        File.WriteAllText(Path.Combine(bundle, "config.json"), config.ToJsonString());
        return bundle;
    }

    [Fact]
    public void A_runc_spec_bundle_with_the_annotation_selects_the_mode()
    {
        var bundle = RuncBundle(new Dictionary<string, string> { [Annotation] = "independent-data-copy", ["io.example/team"] = "blue" });

        var result = Cli.Exeseal("seal", "/bin/true", "--bundle", bundle, "--format", "json");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("independent-data-copy", Json.Parse(result).Text("mode"));
    }

    [Fact]
    public void A_runc_spec_bundle_without_annotations_selects_the_default_chain()
    {
        var runc = Requires.Tool("runc");
        var bundle = Path.Combine(directory.Path, "plain");
        Directory.CreateDirectory(bundle);
        Assert.Equal(0, Cli.Run(runc, ["spec", "--bundle", bundle]).ExitCode);

        var result = Cli.Exeseal("seal", "/bin/true", "--bundle", bundle, "--format", "json", "--provider", "memfd");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", Json.Parse(result).Text("mode"));
    }

    [Fact]
    public void A_bundle_and_a_mode_that_disagree_are_bad_input_naming_both()
    {
        var bundle = RuncBundle(new Dictionary<string, string> { [Annotation] = "independent-data-copy" });

        var result = Cli.Exeseal("seal", "/bin/true", "--bundle", bundle, "--mode", "ro-shared-page");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"is \"independent-data-copy\" from --bundle {bundle} but \"ro-shared-page\" from --mode", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "has no config.json")]
    [InlineData("{ \"annotations\": ", "config.json is not valid JSON")]
    [InlineData("{ \"annotations\": { \"a\": 1 } }", "annotation \"a\" must be a string, not number")]
    [InlineData("[]", "is not an OCI runtime configuration")]
    public void A_bundle_without_a_usable_config_json_is_bad_input(string? content, string expected)
    {
        var bundle = Path.Combine(directory.Path, "broken");
        Directory.CreateDirectory(bundle);
        if (content is not null)
        {
            File.WriteAllText(Path.Combine(bundle, "config.json"), content);
        }

        var result = Cli.Exeseal("seal", "/bin/true", "--bundle", bundle);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("novalue")]
    [InlineData("=value")]
    public void A_malformed_annotation_argument_is_bad_input(string argument)
    {
        var result = Cli.Exeseal("seal", "/bin/true", "--annotation", argument);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"exeseal: --annotation \"{argument}\" is not KEY=VALUE", result.Stderr.Trim());
    }

    [Fact]
    public void State_json_records_the_value_as_a_string_the_provider_and_every_attempt()
    {
        var state = Path.Combine(directory.Path, "state");

        var result = Cli.Exeseal("seal", "/bin/true", "--state-dir", state, "--mode", "independent-data-copy", "--annotation", "io.example/team=blue");

        Assert.Equal(0, result.ExitCode);
        var record = JsonNode.Parse(File.ReadAllText(Path.Combine(state, "state.json")))!;
        Assert.Equal("independent-data-copy", record["cloneSelfExe"]!.GetValue<string>());
        Assert.Equal("memfd", record["provider"]!.GetValue<string>());
        Assert.Equal("independent-data-copy", record["guarantee"]!.GetValue<string>());
        Assert.Equal(new FileInfo("/bin/true").Length, record["size"]!.GetValue<long>());
        Assert.Equal("blue", record["annotations"]!["io.example/team"]!.GetValue<string>());
        Assert.True(record["attempts"]![0]!["ok"]!.GetValue<bool>());
        Assert.Equal(["state.json"], Directory.EnumerateFileSystemEntries(state).Select(Path.GetFileName));
    }

    [Fact]
    public void State_json_stores_an_absent_value_as_the_empty_string()
    {
        var state = Path.Combine(directory.Path, "state");

        Cli.Exeseal("seal", "/bin/true", "--state-dir", state, "--provider", "memfd");

        var record = JsonNode.Parse(File.ReadAllText(Path.Combine(state, "state.json")))!;
        Assert.Equal("", record["cloneSelfExe"]!.GetValue<string>());
    }

    [Fact]
    public void State_json_is_the_old_or_the_new_document_after_a_kill_at_any_point()
    {
        var state = Path.Combine(directory.Path, "state");
        Assert.Equal(0, Cli.Exeseal("seal", "/bin/true", "--state-dir", state, "--provider", "memfd").ExitCode);
        var random = new Random(5736);

        for (var round = 0; round < 12; round++)
        {
            var start = new ProcessStartInfo(Paths.Exeseal) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var argument in new[] { "seal", "/usr/bin/ls", "--state-dir", state, "--provider", "memfd" })
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            Thread.Sleep(random.Next(20, 250));
            process.Kill();
            process.WaitForExit();

            var document = JsonNode.Parse(File.ReadAllText(Path.Combine(state, "state.json")))!;
            Assert.True(document["source"]!.GetValue<string>() is "/bin/true" or "/usr/bin/ls");
            Assert.Equal(["state.json"], Directory.EnumerateFileSystemEntries(state).Select(Path.GetFileName));
        }
    }

    [Fact]
    public async Task A_reader_never_sees_a_torn_state_file_while_it_is_replaced()
    {
        var path = Path.Combine(directory.Path, "state.json");
        byte[][] documents = [System.Text.Encoding.UTF8.GetBytes(new string('a', 100_000)), System.Text.Encoding.UTF8.GetBytes(new string('b', 50_000))];
        AtomicFile.Replace(path, documents[0]);
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(
            () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    AtomicFile.Replace(path, documents[i % 2]);
                }
            },
            TestContext.Current.CancellationToken);

        for (var read = 0; read < 2000; read++)
        {
            var seen = File.ReadAllBytes(path);
            Assert.True(seen.AsSpan().SequenceEqual(documents[0]) || seen.AsSpan().SequenceEqual(documents[1]), $"torn read of {seen.Length} bytes");
        }

        stop.Cancel();
        await writer;
    }
}
