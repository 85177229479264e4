namespace Pluggable.Tests.Support;

/// <summary>
/// Runs the .NET SDK from a test as a user would from a shell, and the contract packages it produces.
/// Builds started here must not leave MSBuild or compiler servers behind: they inherit the redirected output,
/// and the test would wait for them until they time out.
/// </summary>
public static class Dotnet
{
    public static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    public static IDictionary<string, string> Environment(IDictionary<string, string>? more = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["MSBUILDDISABLENODEREUSE"] = "1",
            ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
            ["UseSharedCompilation"] = "false",
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        };
        foreach (var (key, value) in more ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return environment;
    }

    public static CommandResult Run(params string[] arguments)
    {
        var result = Cli.Run("dotnet", arguments, Environment(), limit: Limit);
        Assert.True(result.ExitCode == 0, $"dotnet {string.Join(' ', arguments)}: {result}");
        return result;
    }

    /// <summary>Packs the contract into the local feed, as docs/vendors.md has vendors do.</summary>
    public static void PackContract()
    {
        Run("pack", Path.Combine(Paths.Repository, "abstractions", "Pluggable.Abstractions"), "-c", "Release");
        Run("pack", Path.Combine(Paths.Repository, "abstractions", "Pluggable.Linux"), "-c", "Release");
    }
}
