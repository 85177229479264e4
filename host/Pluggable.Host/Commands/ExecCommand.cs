using System.CommandLine;
using Pluggable.Host.Cli;
using Pluggable.Runtime;
using Pluggable.Runtime.Sealing;

namespace Pluggable.Host.Commands;

/// <summary><c>exeseal exec -- FILE ARGS…</c>: seal FILE, then become it, running from the sealed object.</summary>
internal static class ExecCommand
{
    private static readonly Argument<string[]> CommandLine = new("command")
    {
        Description = "the program and its arguments, after --",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static Command Create()
    {
        var command = new Command("exec", """
            Seal FILE, then replace exeseal with it (execveat of the sealed handle). argv[0] stays FILE as given,
            stdin, stdout and stderr are kept, every other descriptor is closed on exec. The exit status is the
            program's own. If sealing fails, nothing is executed.
            Example: exeseal exec -- /bin/sh -c 'readlink /proc/$$/exe'
            """);
        command.Arguments.Add(CommandLine);
        foreach (var option in SealOptions.All)
        {
            command.Options.Add(option);
        }

        command.SetExesealAction(Run);
        return command;
    }

    private static int Run(Session session, ParseResult parse, CancellationToken cancellationToken)
    {
        var arguments = parse.GetValue(CommandLine) ?? [];
        if (arguments.Length == 0)
        {
            throw new BadInputException("nothing to execute: give the program after --, as in: exeseal exec -- /bin/echo hello");
        }

        SealedExec.SealAndBecome(session, parse, SealOptions.ChooseAnnotations(parse, []), arguments[0], arguments, cancellationToken);
        return ExitCodes.SealingFailed;
    }
}
