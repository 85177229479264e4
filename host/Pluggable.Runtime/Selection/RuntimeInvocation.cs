namespace Pluggable.Runtime.Selection;

/// <summary>
/// What a runc or crun command line asks for, as far as exeseal needs to know: the command, and for
/// <c>create</c> and <c>run</c> the bundle whose annotations choose the protection.
/// </summary>
/// <param name="Command">The runtime's command (<c>create</c>, <c>run</c>, <c>delete</c>…), or null when there is none.</param>
/// <param name="Bundle">The bundle directory for <c>create</c> and <c>run</c>; null for every other command.</param>
public sealed record RuntimeInvocation(string? Command, string? Bundle)
{
    // Global options of runc and crun that take a value: their value is not the command.
    private static readonly HashSet<string> GlobalOptionsWithValue =
        new(["root", "log", "log-format", "log-level", "criu", "rootless", "cgroup-manager"], StringComparer.Ordinal);

    private static readonly HashSet<string> CommandsWithBundle = new(["create", "run"], StringComparer.Ordinal);

    /// <summary>
    /// Reads <paramref name="arguments"/> as runc (urfave/cli, Go flag syntax: <c>-b</c>, <c>--bundle</c>, <c>-bundle</c>,
    /// with the value after <c>=</c> or as the next argument) and crun read them. Without a bundle option,
    /// <c>create</c> and <c>run</c> use the current directory, as both runtimes do.
    /// </summary>
    public static RuntimeInvocation Parse(IReadOnlyList<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var index = 0;
        while (index < arguments.Count && arguments[index].StartsWith('-'))
        {
            var (name, inlineValue) = Split(arguments[index]);
            index += GlobalOptionsWithValue.Contains(name) && inlineValue is null ? 2 : 1;
        }

        if (index >= arguments.Count)
        {
            return new RuntimeInvocation(null, null);
        }

        var command = arguments[index];
        if (!CommandsWithBundle.Contains(command))
        {
            return new RuntimeInvocation(command, null);
        }

        for (var i = index + 1; i < arguments.Count; i++)
        {
            if (arguments[i] == "--")
            {
                break;
            }

            var (name, inlineValue) = Split(arguments[i]);
            if (name is "bundle" or "b" && arguments[i].StartsWith('-'))
            {
                var value = inlineValue ?? (i + 1 < arguments.Count ? arguments[i + 1] : null);
                return value is { Length: > 0 }
                    ? new RuntimeInvocation(command, Path.GetFullPath(value))
                    : throw new BadInputException($"{arguments[i]} needs a directory");
            }
        }

        return new RuntimeInvocation(command, Directory.GetCurrentDirectory());
    }

    private static (string Name, string? Value) Split(string argument)
    {
        var trimmed = argument.TrimStart('-');
        var equals = trimmed.IndexOf('=', StringComparison.Ordinal);
        return equals < 0 ? (trimmed, null) : (trimmed[..equals], trimmed[(equals + 1)..]);
    }
}
