using System.Text.Json;
using Pluggable.Tests.Support;

namespace Pluggable.Tests;

/// <summary>
/// The shape of <c>exeseal bench</c>'s output. Never its timings: on a shared machine they prove nothing, and a
/// test that asserts them fails for reasons that are not bugs.
/// </summary>
public sealed class BenchCommandTests
{
    private static readonly string[] ResultProperties =
        ["provider", "medianMicroseconds", "p95Microseconds", "bytesPerSecond", "pinnedBytes", "error"];

    [Fact]
    public void Bench_reports_every_chosen_provider_in_the_documented_json_shape()
    {
        var result = Cli.Exeseal("bench", "/usr/bin/ls", "--provider", "memfd", "--provider", "tmpfile", "--iterations", "2", "--format", "json");

        Assert.Equal(0, result.ExitCode);
        var root = Json.Parse(result);
        Assert.Equal(["file", "size", "results"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("/usr/bin/ls", root.Text("file"));
        Assert.Equal(new FileInfo("/usr/bin/ls").Length, root.GetProperty("size").GetInt64());
        var results = root.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(["memfd", "tmpfile"], results.Select(r => r.Text("provider")));
        foreach (var measured in results)
        {
            Assert.Equal(ResultProperties, measured.EnumerateObject().Select(p => p.Name));
            Assert.Equal(JsonValueKind.Null, measured.GetProperty("error").ValueKind);
            Assert.Equal(JsonValueKind.Number, measured.GetProperty("medianMicroseconds").ValueKind);
            Assert.Equal(JsonValueKind.Number, measured.GetProperty("p95Microseconds").ValueKind);
            Assert.Equal(JsonValueKind.Number, measured.GetProperty("bytesPerSecond").ValueKind);
            Assert.Equal(JsonValueKind.Number, measured.GetProperty("pinnedBytes").ValueKind);
        }
    }

    [Fact]
    public void Bench_reports_a_provider_that_cannot_seal_with_its_error_and_no_numbers()
    {
        var result = Cli.Exeseal(
            "bench", "/usr/bin/ls", "--provider", "throws-in-seal", "--iterations", "1", "--format", "json", "--plugins", Paths.TestPlugins);

        Assert.Equal(0, result.ExitCode);
        var failed = Json.Parse(result).GetProperty("results").EnumerateArray().Single();
        Assert.Equal(ResultProperties, failed.EnumerateObject().Select(p => p.Name));
        Assert.False(string.IsNullOrEmpty(failed.Text("error")));
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("medianMicroseconds").ValueKind);
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("pinnedBytes").ValueKind);
    }

    [Fact]
    public void Bench_refuses_an_unknown_provider_with_exit_2()
    {
        var result = Cli.Exeseal("bench", "/usr/bin/ls", "--provider", "no-such-provider", "--iterations", "1");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no-such-provider", result.Stderr, StringComparison.Ordinal);
    }
}
