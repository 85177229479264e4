using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Pluggable.Tests.Support;

/// <summary>
/// exeseal-runtime, published Native AOT beside the built exeseal (as the host's publish places it, so its
/// default fallback is the real CLI), once per test run.
/// </summary>
public static class WarmPath
{
    private static readonly Lazy<string> Published = new(Publish);

    public static string Client => Published.Value;

    public static CommandResult RunClient(IEnumerable<string> arguments) => Cli.Run(Client, arguments);

    private static string Publish()
    {
        // The libraries are already built by the solution build that precedes the tests; only the client is compiled here.
        Dotnet.Run(
            "publish", Path.Combine(Paths.Repository, "host", "Pluggable.RuntimeClient"), "-c", Paths.Configuration,
            "-r", RuntimeInformation.RuntimeIdentifier, "-p:BuildProjectReferences=false", "-o", Paths.HostDirectory);
        return Path.Combine(Paths.HostDirectory, "exeseal-runtime");
    }
}

/// <summary>A running <c>exeseal daemon</c> on a private socket, stopped with SIGTERM and its log kept.</summary>
public sealed class DaemonProcess : IDisposable
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(30);
    private readonly Process process;
    private readonly StringBuilder log = new();
    private readonly TemporaryDirectory? ownDirectory;
    private readonly bool launched;

    /// <summary>
    /// Starts the daemon and waits until it logs <paramref name="ready"/>. With <paramref name="launcher"/>, that
    /// command line starts it instead (systemd-socket-activate, which starts the daemon only when the first client
    /// connects), and <paramref name="ready"/> is what the launcher says once it listens.
    /// </summary>
    public DaemonProcess(
        string? socket = null, IEnumerable<string>? extraArguments = null, IEnumerable<string>? launcher = null, string ready = "exeseald listens on")
    {
        Requires.Root();
        ownDirectory = socket is null ? new TemporaryDirectory() : null;
        launched = launcher is not null;
        Socket = socket ?? Path.Combine(ownDirectory!.Path, "run", "exeseald.sock");
        IEnumerable<string> command = [.. launcher ?? [], Paths.Exeseal, "daemon", "--socket", Socket, "--log-level", "debug", .. extraArguments ?? []];
        var start = new ProcessStartInfo(command.First()) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        process = Process.Start(start)!;
        process.ErrorDataReceived += (_, line) => { lock (log) { log.AppendLine(line.Data); } };
        process.OutputDataReceived += (_, line) => { lock (log) { log.AppendLine(line.Data); } };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        WaitUntilReady(ready);
    }

    public string Socket { get; }

    public int ProcessId => process.Id;

    public string Log
    {
        get
        {
            lock (log)
            {
                return log.ToString();
            }
        }
    }

    /// <summary>SIGTERM, then the exit code once it has stopped.</summary>
    public int Stop()
    {
        if (!process.HasExited)
        {
            var kill = Cli.Run("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            Assert.True(kill.ExitCode == 0 || process.HasExited, kill.ToString());
        }

        return ExitCode();
    }

    /// <summary>The exit code, once the process has exited by itself.</summary>
    public int ExitCode()
    {
        if (!process.WaitForExit(StartLimit))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"exeseal daemon did not exit within {StartLimit.TotalSeconds} s:\n{Log}");
        }

        process.WaitForExit();
        return process.ExitCode;
    }

    public void Dispose()
    {
        // A launcher may have started daemons as its children; a test that failed half-way leaves none behind.
        if (launched && !process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        if (!process.HasExited)
        {
            Stop();
        }

        process.Dispose();
        ownDirectory?.Dispose();
    }

    /// <summary>
    /// Waits for <paramref name="text"/> in the log: the daemon's output arrives asynchronously, after the client
    /// it answered may already have exited.
    /// </summary>
    public void AssertLogs(string text)
    {
        var clock = Stopwatch.StartNew();
        while (!Log.Contains(text, StringComparison.Ordinal))
        {
            if (clock.Elapsed > StartLimit)
            {
                Assert.Fail($"exeseal daemon did not log \"{text}\" within {StartLimit.TotalSeconds} s:\n{Log}");
            }

            Thread.Sleep(20);
        }
    }

    /// <summary>The one child of the launcher: the daemon it started last.</summary>
    public int OnlyChild()
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var children = File.ReadAllText($"/proc/{process.Id}/task/{process.Id}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (children.Length == 1)
            {
                return int.Parse(children[0], System.Globalization.CultureInfo.InvariantCulture);
            }

            Assert.True(clock.Elapsed < StartLimit, $"the launcher has {children.Length} children, not one:\n{Log}");
            Thread.Sleep(20);
        }
    }

    /// <summary>The number of descriptors the daemon holds, once it has stayed the same for a moment: answers finish after their clients exit.</summary>
    public int SettledDescriptorCount()
    {
        var clock = Stopwatch.StartNew();
        var count = CountDescriptors();
        for (var unchanged = 0; unchanged < 5 && clock.Elapsed < StartLimit;)
        {
            Thread.Sleep(50);
            var now = CountDescriptors();
            unchanged = now == count ? unchanged + 1 : 0;
            count = now;
        }

        return count;

        int CountDescriptors() => Directory.GetFileSystemEntries($"/proc/{process.Id}/fd").Length;
    }

    private void WaitUntilReady(string ready)
    {
        var clock = Stopwatch.StartNew();
        while (!Log.Contains(ready, StringComparison.Ordinal))
        {
            if (process.HasExited || clock.Elapsed > StartLimit)
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }

                process.WaitForExit();
                Assert.Fail($"exeseal daemon did not start listening (exit {(process.HasExited ? process.ExitCode : -1)}):\n{Log}");
            }

            Thread.Sleep(20);
        }
    }
}
