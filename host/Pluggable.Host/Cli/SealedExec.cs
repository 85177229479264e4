using System.Collections;
using System.CommandLine;
using Pluggable.Abstractions;
using Pluggable.Linux;
using Pluggable.Runtime;
using Pluggable.Runtime.Sealing;
using Pluggable.Runtime.Selection;

namespace Pluggable.Host.Cli;

/// <summary>Replacing exeseal with a program that runs from its sealed object.</summary>
internal static class SealedExec
{
    /// <summary>
    /// Seals <paramref name="program"/> (looked up in PATH when it has no slash) with the chain
    /// <paramref name="selection"/> chooses, then becomes it with <paramref name="arguments"/> (argv[0] included).
    /// Returns only by throwing; nothing runs when sealing fails.
    /// </summary>
    public static void SealAndBecome(
        Session session, ParseResult parse, AnnotationSelection selection, string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        using var source = SourceExecutable.Open(ExecutableSearch.Resolve(program), session.Get<RuntimeOptions>().MaxSourceBytes);
        SelfLocatingExecutable.EnsureCanRunSealed(source);
        using var outcome = Commands.SealOptions.SealFile(session, source, parse, selection, cancellationToken);
        Become(outcome, arguments, source.Path);
    }

    /// <summary>
    /// execveat the sealed object with <paramref name="arguments"/> (argv[0] included) and this process's
    /// environment. Returns only by throwing.
    /// </summary>
    private static void Become(SealOutcome outcome, IReadOnlyList<string> arguments, string subject)
    {
        var environment = EnvironmentBlock();
        try
        {
            Exec.PrepareProcess();
            Exec.Execute(outcome.Executable.Handle, arguments, environment, subject);
        }
        catch (SealingException error)
        {
            throw new ExesealException(error.Message, ExitCodes.SealingFailed);
        }
    }

    // A loop over the non-generic enumerator: LINQ over DictionaryEntry, a value type, would be compiled by the JIT on
    // every exec.
    private static List<string> EnvironmentBlock()
    {
        var environment = new List<string>();
        foreach (DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            environment.Add($"{entry.Key}={entry.Value}");
        }

        return environment;
    }
}
