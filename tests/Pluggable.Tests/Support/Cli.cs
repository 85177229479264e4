using System.Diagnostics;

namespace Pluggable.Tests.Support;

/// <summary>What a command printed and how it ended.</summary>
public sealed record CommandResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>Runs the built exeseal, or any program, as a user would, with a time limit.</summary>
public static class Cli
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    public static CommandResult Exeseal(params string[] arguments) => Run(Paths.Exeseal, arguments);

    public static CommandResult Run(
        string program, IEnumerable<string> arguments, IDictionary<string, string>? environment = null, string? stdin = null, TimeSpan? limit = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
        }

        process.StandardInput.Close();
        if (!process.WaitForExit(limit ?? Limit))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', arguments)} did not finish within {(limit ?? Limit).TotalSeconds} s");
        }

        // A child that outlives the command (a container's init waiting in "created") can hold the pipes open.
        if (!Task.WaitAll([stdout, stderr], Limit))
        {
            Assert.Fail($"{program} {string.Join(' ', arguments)} exited, but something it started still holds its stdout or stderr");
        }

        return new CommandResult(process.ExitCode, stdout.Result, stderr.Result);
    }
}
