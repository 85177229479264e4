using System.CommandLine;
using Pluggable.Host.Cli;
using Pluggable.Host.Output;
using Pluggable.Runtime;
using Pluggable.Runtime.Sealing;

namespace Pluggable.Host.Commands;

/// <summary><c>exeseal seal FILE</c>: seal, verify, report, and close.</summary>
internal static class SealCommand
{
    private static readonly Argument<string> File = new("file") { Description = "the executable to seal" };

    public static Command Create()
    {
        var command = new Command("seal", """
            Seal FILE with the selected chain, verify the result, and report which provider made it, every
            attempt with its error and time, the size, the memfd seals and the SHA-256. Nothing is executed.
            Example: exeseal seal /usr/bin/runc --format json
            """);
        command.Arguments.Add(File);
        foreach (var option in SealOptions.All)
        {
            command.Options.Add(option);
        }

        command.SetExesealAction(Run);
        return command;
    }

    private static int Run(Session session, ParseResult parse, CancellationToken cancellationToken)
    {
        var selection = SealOptions.ChooseAnnotations(parse, []);
        using var source = SourceExecutable.Open(parse.GetValue(File) ?? "", session.Get<RuntimeOptions>().MaxSourceBytes);
        using var outcome = SealOptions.SealFile(session, source, parse, selection, cancellationToken);
        var report = Reports.ToReport(outcome, source);
        if (session.Json)
        {
            Session.WriteJson(report, ReportJson.Output.SealReport);
            return ExitCodes.Success;
        }

        Console.Out.WriteLine($"sealed {report.Source} with {report.Provider} ({report.Guarantee}) in {report.Microseconds} µs");
        Console.Out.WriteLine($"  mode       {(report.Mode.Length == 0 ? "(annotation absent: default chain)" : report.Mode)}");
        if (report.AlreadySealed)
        {
            Console.Out.WriteLine("  reused     the source already is a sealed memfd; no copy was made");
        }

        Console.Out.WriteLine($"  size       {report.Size} bytes");
        Console.Out.WriteLine($"  seals      {Reports.Describe(outcome.Verified.Seals)}");
        Console.Out.WriteLine($"  read-only  {(report.ReadOnlyMount ? "yes" : "no")}");
        Console.Out.WriteLine($"  sha256     {report.Sha256 ?? "(not checked; enable verifyContent)"}");
        foreach (var attempt in report.Attempts)
        {
            Console.Out.WriteLine($"  attempt    {attempt.Provider}: {(attempt.Ok ? "ok" : attempt.Error)} ({attempt.Microseconds} µs)");
        }

        return ExitCodes.Success;
    }
}
