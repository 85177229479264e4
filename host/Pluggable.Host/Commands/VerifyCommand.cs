using System.CommandLine;
using Pluggable.Host.Cli;
using Pluggable.Host.Output;
using Pluggable.Runtime;
using Pluggable.Runtime.Verification;

namespace Pluggable.Host.Commands;

/// <summary><c>exeseal verify --pid PID</c> or <c>exeseal verify FILE</c>: is it protected against being overwritten?</summary>
internal static class VerifyCommand
{
    private static readonly Option<int?> Pid = new("--pid") { Description = "the process whose executable (/proc/PID/exe) to classify" };

    private static readonly Argument<string?> File = new("file")
    {
        Description = "a file to classify instead of a process",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public static Command Create()
    {
        var command = new Command("verify", """
            Say what a process runs from: a sealed memfd (with its seals), a read-only mount, an unlinked copy, or
            an unprotected file that anyone reaching /proc/PID/exe could overwrite. Exit 0 when protected, 1 when not.
            Example: exeseal verify --pid "$(pidof runc)"
            """);
        command.Options.Add(Pid);
        command.Arguments.Add(File);
        command.SetExesealAction((session, parse, _) => Run(session, parse));
        return command;
    }

    private static int Run(Session session, ParseResult parse)
    {
        var pid = parse.GetValue(Pid);
        var file = parse.GetValue(File);
        var verdict = (pid, file) switch
        {
            ({ } process, null) => ExecutableClassifier.OfProcess(process),
            (null, { } path) => ExecutableClassifier.OfFile(path),
            _ => throw new BadInputException("give either --pid PID or a FILE, not both and not neither"),
        };
        var report = new VerifyReport(pid, verdict.Exe, verdict.KindName, (int?)verdict.Seals, verdict.Protected);
        if (session.Json)
        {
            Session.WriteJson(report, ReportJson.Output.VerifyReport);
        }
        else
        {
            var seals = verdict.Seals is null ? "" : $", seals {Reports.Describe(verdict.Seals)}";
            Console.Out.WriteLine($"{(pid is null ? "" : $"pid {pid}: ")}{verdict.Exe}: {verdict.KindName}{seals} ({(verdict.Protected ? "protected" : "NOT protected")})");
        }

        return verdict.Protected ? ExitCodes.Success : ExitCodes.NotProtected;
    }
}
