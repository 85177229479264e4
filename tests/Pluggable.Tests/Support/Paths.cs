using System.Reflection;

namespace Pluggable.Tests.Support;

/// <summary>Where the built exeseal and the test plugins are.</summary>
public static class Paths
{
    public static string Repository { get; } = FindRepository();

    public static string Configuration { get; } =
        typeof(Paths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Configuration").Value!;

    public static string HostDirectory { get; } = Path.Combine(Repository, "host", "Pluggable.Host", "bin", Configuration, "net10.0");

    public static string Exeseal { get; } = Path.Combine(HostDirectory, "exeseal");

    public static string BuiltInPlugins { get; } = Path.Combine(HostDirectory, "plugins");

    public static string TestPlugins { get; } = Path.Combine(AppContext.BaseDirectory, "testplugins");

    private static string FindRepository()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Pluggable.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("the tests must run from inside the exeseal repository");
    }
}
