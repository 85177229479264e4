using System.CommandLine;
using Pluggable.Host.Commands;
using Pluggable.Runtime;

var root = new RootCommand("""
    exeseal runs executables from sealed copies or read-only views, so that a process they start cannot
    overwrite them (CVE-2019-5736). The annotation org.opencontainers.runc.clone-self-exe chooses the guarantee.
    Exit codes: 0 success, 1 sealing (or executing the sealed object) failed, 2 bad usage or input,
    3 refused by policy or plugin trust.
    """);
foreach (var option in Pluggable.Host.Cli.GlobalOptions.All)
{
    root.Options.Add(option);
}

root.Subcommands.Add(ProvidersCommand.Create());
root.Subcommands.Add(SealCommand.Create());
root.Subcommands.Add(ExecCommand.Create());
root.Subcommands.Add(ModesCommand.Create());
root.Subcommands.Add(VerifyCommand.Create());
root.Subcommands.Add(RuntimeCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(DaemonCommand.Create());

var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors)
    {
        Console.Error.WriteLine($"exeseal: {error.Message}");
    }

    Console.Error.WriteLine("Try 'exeseal --help'.");
    return ExitCodes.BadInput;
}

// The daemon stops itself on SIGTERM and SIGINT and exits 0, as systemd expects of a clean stop; every other
// command is cancelled by System.CommandLine and ends with 130 or 143, as a shell reports such a signal.
var invocation = new InvocationConfiguration();
if (parse.CommandResult.Command.Name == "daemon")
{
    invocation.ProcessTerminationTimeout = null;
}

return await parse.InvokeAsync(invocation).ConfigureAwait(false);
