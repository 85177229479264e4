namespace Pluggable.Runtime.Sealing;

/// <summary>Finds a program the way execvp(3) and shells do.</summary>
public static class ExecutableSearch
{
    private const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>
    /// <paramref name="program"/> itself when it contains a slash; otherwise the first executable file of that name
    /// in $PATH. Throws <see cref="BadInputException"/> when there is none.
    /// </summary>
    public static string Resolve(string program)
    {
        ArgumentException.ThrowIfNullOrEmpty(program);
        if (program.Contains('/', StringComparison.Ordinal))
        {
            return program;
        }

        var path = Environment.GetEnvironmentVariable("PATH") is { Length: > 0 } value ? value : DefaultPath;
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(candidate => File.Exists(candidate) && (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
            ?? throw new BadInputException($"{program}: not found in PATH; give its path");
    }
}
