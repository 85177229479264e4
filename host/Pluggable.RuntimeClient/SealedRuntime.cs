using Pluggable.Linux;
using Pluggable.Runtime;
using Pluggable.Runtime.Configuration;
using Pluggable.Runtime.Sealing;
using Pluggable.Runtime.Selection;
using Pluggable.Runtime.Service;

namespace Pluggable.RuntimeClient;

/// <summary>Becoming the sealed runtime: through exeseald when it answers, through the exeseal CLI when it does not.</summary>
internal static class SealedRuntime
{
    private static readonly Dictionary<string, string> NoAnnotations = [];

    /// <summary>Returns only by throwing: the process is the runtime, or the CLI that seals it, when this succeeds.</summary>
    public static void Become(ClientArguments arguments)
    {
        // Read before anything is sealed, as `exeseal runtime` does: a bad bundle is bad input, not a fallback.
        var invocation = RuntimeInvocation.Parse(arguments.RuntimeArguments);
        var selection = invocation.Bundle is { } bundle
            ? AnnotationSelection.Combine([new AnnotationSource($"bundle {bundle}", OciBundle.ReadAnnotations(bundle))])
            : new AnnotationSelection(null, NoAnnotations);
        // exeseald applies the configuration it read when it started; EXESEAL_* variables here would change the
        // decision of the CLI only, so a client that has them lets the CLI decide.
        if (ConfigurationLoader.EnvironmentOverride() is { } variable)
        {
            RunCli(arguments, $"{variable} is set, and exeseald applies only the configuration it started with");
            return;
        }

        using var source = SourceExecutable.Open(ExecutableSearch.Resolve(arguments.Runtime));
        var answer = SealServiceClient.TrySeal(arguments.Socket, source, selection.Value, out var unreachable);
        if (answer is null)
        {
            RunCli(arguments, unreachable!);
            return;
        }

        if (answer.Reply.ExitCode != ExitCodes.Success)
        {
            throw new ExesealException(answer.Reply.Error ?? "exeseald refused without saying why", answer.Reply.ExitCode);
        }

        using var sealedRuntime = answer.Sealed!;
        Exec.PrepareProcess();
        Exec.Execute(sealedRuntime, [arguments.Runtime, .. arguments.RuntimeArguments], Exec.InheritedEnvironment(), source.Path);
    }

    // The CLI reads the bundle and seals the runtime itself: the same decision, a .NET start slower.
    private static void RunCli(ClientArguments arguments, string unreachable)
    {
        var cli = arguments.Exeseal ?? Path.Combine(AppContext.BaseDirectory, "exeseal");
        Console.Error.WriteLine($"exeseal-runtime: {unreachable}; sealing with {cli} instead");
        Microsoft.Win32.SafeHandles.SafeFileHandle program;
        try
        {
            program = Files.Open(cli, OpenFlags.Path | OpenFlags.CloseOnExec);
        }
        catch (Abstractions.SealingException error)
        {
            throw new ExesealException($"{unreachable}, and the exeseal CLI cannot be used: {error.Message}; nothing was executed", ExitCodes.SealingFailed);
        }

        using (program)
        {
            Exec.PrepareProcess();
            Exec.Execute(program, ["exeseal", "runtime", "--runtime", arguments.Runtime, "--", .. arguments.RuntimeArguments], Exec.InheritedEnvironment(), cli);
        }
    }
}
