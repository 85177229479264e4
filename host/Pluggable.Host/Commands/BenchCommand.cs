using System.CommandLine;
using System.Globalization;
using Pluggable.Host.Cli;
using Pluggable.Host.Output;
using Pluggable.Runtime;
using Pluggable.Runtime.Benchmarking;
using Pluggable.Runtime.Discovery;
using Pluggable.Runtime.Sealing;

namespace Pluggable.Host.Commands;

/// <summary><c>exeseal bench [FILE]</c>: what each provider costs on this host, in time and in pinned memory.</summary>
internal static class BenchCommand
{
    private static readonly Argument<string?> File = new("file")
    {
        Description = "the executable to seal (default: exeseal's own launcher); measure the binary you protect, e.g. runc",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private static readonly Option<string[]> Providers = new("--provider")
    {
        Description = "measure this provider (repeatable); default: every discovered provider, whatever the policy says",
    };

    private static readonly Option<int> Iterations = new("--iterations")
    {
        Description = "seals measured per provider, after one seal that is not counted",
        DefaultValueFactory = _ => 25,
    };

    public static Command Create()
    {
        var command = new Command("bench", """
            Measure each provider on this host: seal FILE repeatedly (probe, seal and verification, as exec does),
            and report the median and 95th-percentile time, the throughput, and the shared memory each sealed
            object pins (Shmem of /proc/meminfo: a memfd or a tmpfs copy holds the file's size; a mount nothing).
            A provider that cannot seal here is reported with its error. Nothing is executed.
            Example: exeseal bench /usr/bin/runc --provider memfd --provider overlayfs --format json
            """);
        command.Arguments.Add(File);
        command.Options.Add(Providers);
        command.Options.Add(Iterations);
        command.SetExesealAction(Run);
        return command;
    }

    private static int Run(Session session, ParseResult parse, CancellationToken cancellationToken)
    {
        var iterations = parse.GetValue(Iterations);
        if (iterations < 1)
        {
            throw new BadInputException($"--iterations must be at least 1, not {iterations}");
        }

        var catalog = session.Get<ProviderCatalog>();
        var names = parse.GetValue(Providers) is { Length: > 0 } chosen ? chosen : catalog.Providers.Select(p => p.Name).ToArray();
        foreach (var name in names.Where(name => catalog.Find(name) is null))
        {
            throw new BadInputException($"no provider named \"{name}\" is loaded (loaded: {string.Join(", ", catalog.Providers.Select(p => p.Name))})");
        }

        var path = parse.GetValue(File) ?? Environment.ProcessPath ?? throw new BadInputException("name the file to measure");
        using var source = SourceExecutable.Open(path);
        using var state = StateDirectory.CreatePrivate(session.Get<RuntimeOptions>().StateRoot, session.Logger);
        var bench = new ProviderBench(session.Get<SealingRuntime>());
        var results = names.Distinct(StringComparer.Ordinal)
            .Select(name => bench.Measure(name, source, state, iterations, cancellationToken))
            .ToList();
        var report = new BenchReport(source.Path, source.Size, results);
        if (session.Json)
        {
            Session.WriteJson(report, ReportJson.Output.BenchReport);
            return ExitCodes.Success;
        }

        WriteTable(report, iterations);
        return ExitCodes.Success;
    }

    private static void WriteTable(BenchReport report, int iterations)
    {
        Console.Out.WriteLine($"{report.File}: {report.Size} bytes, {iterations} seal(s) per provider");
        TextTable.Write(
            ["PROVIDER", "MEDIAN", "P95", "THROUGHPUT", "PINNED", "ERROR"],
            report.Results.Select(r => new[]
            {
                r.Provider,
                Microseconds(r.MedianMicroseconds),
                Microseconds(r.P95Microseconds),
                r.BytesPerSecond is { } rate ? $"{rate / (1 << 20):0.0} MiB/s" : "",
                r.PinnedBytes is { } pinned ? $"{pinned / 1024.0 / 1024.0:0.0} MiB" : "",
                r.Error ?? "",
            }));
    }

    private static string Microseconds(double? value) =>
        value is { } microseconds ? string.Create(CultureInfo.InvariantCulture, $"{microseconds:0.0} µs") : "";
}
