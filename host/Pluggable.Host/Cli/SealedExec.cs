using System.Collections;
using Pluggable.Abstractions;
using Pluggable.Linux;
using Pluggable.Runtime;
using Pluggable.Runtime.Sealing;

namespace Pluggable.Host.Cli;

/// <summary>Replacing exeseal with a program that runs from its sealed object.</summary>
internal static class SealedExec
{
    /// <summary>
    /// execveat the sealed object with <paramref name="arguments"/> (argv[0] included) and this process's
    /// environment. Returns only by throwing.
    /// </summary>
    public static void Become(SealOutcome outcome, IReadOnlyList<string> arguments, string subject)
    {
        var environment = System.Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .Select(entry => $"{entry.Key}={entry.Value}")
            .ToList();
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
}
