using System.CommandLine;

namespace Pluggable.Host.Cli;

/// <summary>Options every command accepts.</summary>
internal static class GlobalOptions
{
    public static readonly Option<string> Format = new("--format")
    {
        Description = "text for people, or json: one JSON document on stdout (logs stay on stderr)",
        DefaultValueFactory = _ => "text",
        Recursive = true,
    };

    public static readonly Option<string> LogLevel = new("--log-level")
    {
        Description = "how much to log on stderr: trace, debug (shows each fallback), info, warning, error",
        DefaultValueFactory = _ => "warning",
        Recursive = true,
    };

    public static readonly Option<string[]> Plugins = new("--plugins")
    {
        Description = "another plugin directory (one folder per plugin: <Name>/<Name>.dll), searched after the built-in one; repeatable",
        Recursive = true,
    };

    public static readonly Option<string?> Config = new("--config")
    {
        Description = "the policy file (default: $EXESEAL_CONFIG, else /etc/exeseal/exeseal.json if it exists, else the embedded defaults)",
        Recursive = true,
    };

    static GlobalOptions()
    {
        Format.AcceptOnlyFromAmong("text", "json");
        LogLevel.AcceptOnlyFromAmong("trace", "debug", "info", "warning", "error");
    }

    public static IEnumerable<Option> All => [Format, LogLevel, Plugins, Config];
}
