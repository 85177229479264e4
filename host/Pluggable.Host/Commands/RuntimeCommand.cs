using System.CommandLine;
using Pluggable.Host.Cli;
using Pluggable.Runtime;
using Pluggable.Runtime.Sealing;
using Pluggable.Runtime.Selection;

namespace Pluggable.Host.Commands;

/// <summary>
/// <c>exeseal runtime --runtime PATH -- ARGS…</c>: the wrapper containerd or CRI-O calls in place of runc or crun.
/// </summary>
internal static class RuntimeCommand
{
    private static readonly Option<string> Runtime = new("--runtime")
    {
        Description = "the runtime to seal and run: a path, or a name looked up in PATH (runc, crun)",
        Required = true,
    };

    private static readonly Argument<string[]> RuntimeArguments = new("arguments")
    {
        Description = "the runtime's own arguments, after --, passed unchanged",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static Command Create()
    {
        var command = new Command("runtime", """
            Seal the container runtime, then run it with ARGS unchanged. For create and run, the annotations of the
            bundle (--bundle DIR, -b DIR, or the current directory) choose the protection; every other command
            (state, kill, delete, exec…) runs the runtime from the default chain. A sealed memfd carries exactly the
            four seals runc and crun look for, so they do not make a copy of their own.
            Example: exeseal runtime --runtime runc -- run --bundle /containers/web web-1
            """);
        command.Options.Add(Runtime);
        command.Arguments.Add(RuntimeArguments);
        foreach (var option in SealOptions.All)
        {
            command.Options.Add(option);
        }

        command.SetExesealAction(Run);
        return command;
    }

    private static int Run(Session session, ParseResult parse, CancellationToken cancellationToken)
    {
        var runtime = parse.GetValue(Runtime)!;
        var arguments = parse.GetValue(RuntimeArguments) ?? [];
        var invocation = RuntimeInvocation.Parse(arguments);
        IEnumerable<AnnotationSource> bundle = invocation.Bundle is { } directory
            ? [new AnnotationSource($"bundle {directory}", OciBundle.ReadAnnotations(directory))]
            : [];
        SealedExec.SealAndBecome(session, parse, SealOptions.ChooseAnnotations(parse, bundle), runtime, [runtime, .. arguments], cancellationToken);
        return ExitCodes.SealingFailed;
    }
}
