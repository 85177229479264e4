using System.CommandLine;
using Pluggable.Host.Output;
using Pluggable.Runtime;
using Pluggable.Runtime.Sealing;

namespace Pluggable.Host.Cli;

/// <summary>
/// Runs a command's action in a session and turns every expected failure into one sentence on stderr
/// (and an error document on stdout with --format json) and a documented exit code, never a stack trace.
/// </summary>
internal static class ExesealAction
{
    public static void SetExesealAction(this Command command, Func<Session, ParseResult, CancellationToken, int> action) =>
        command.SetAction((parse, cancellationToken) => Task.FromResult(Run(parse, action, cancellationToken)));

    private static int Run(ParseResult parse, Func<Session, ParseResult, CancellationToken, int> action, CancellationToken cancellationToken)
    {
        try
        {
            using var session = Session.Start(parse);
            return action(session, parse, cancellationToken);
        }
        catch (Exception error) when (error is ExesealException or Abstractions.SealingException)
        {
            // A SealingException here is a system call that failed outside any provider (the daemon's socket, a
            // state directory): its sentence carries the errno and what to do, and it ends as a failed seal does.
            var exitCode = (error as ExesealException)?.ExitCode ?? ExitCodes.SealingFailed;
            var attempts = (error as SealingFailedException)?.Attempts;
            Console.Error.WriteLine($"exeseal: {error.Message}");
            if (Session.WantsJson(parse))
            {
                Session.WriteJson(new ErrorReport(error.Message, exitCode, attempts?.Select(Reports.ToReport).ToList()), ReportJson.Output.ErrorReport);
            }

            return exitCode;
        }
    }
}
