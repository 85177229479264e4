namespace Pluggable.Tests.Support;

/// <summary>
/// Preconditions of tests that need the real thing. On a developer's laptop a missing precondition skips the
/// test; in CI (CI=true) it fails it, so that nothing is silently left untested.
/// </summary>
public static class Requires
{
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static void Root()
    {
        if (Environment.UserName != "root" && !IsEffectiveRoot())
        {
            Missing("this test needs root");
        }
    }

    public static string Tool(string name)
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/sbin").Append("/sbin")
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
        if (found is null)
        {
            Missing($"this test needs {name}; scripts/test.sh installs it");
        }

        return found!;
    }

    private static bool IsEffectiveRoot() =>
        File.ReadLines("/proc/self/status").Any(line => line.StartsWith("Uid:", StringComparison.Ordinal) && line.Split('\t')[2] == "0");

    private static void Missing(string reason)
    {
        if (InCi)
        {
            Assert.Fail($"{reason} (CI=true: a missing precondition fails the test instead of skipping it)");
        }

        Assert.Skip(reason);
    }
}
