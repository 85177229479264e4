using System.CommandLine;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Pluggable.Host.Cli;
using Pluggable.Runtime;
using Pluggable.Runtime.Discovery;
using Pluggable.Runtime.Policy;
using Pluggable.Runtime.Service;

namespace Pluggable.Host.Commands;

/// <summary>
/// <c>exeseal daemon</c> (exeseald): discovers and composes the plugins once, then seals on request over a
/// root-only unix socket, so a per-container wrapper pays a round trip instead of a .NET start.
/// </summary>
internal static class DaemonCommand
{
    private static readonly Option<string> Socket = new("--socket")
    {
        Description = "the unix socket to listen on (made mode 0600 in a 0700 directory); ignored under systemd socket activation",
        DefaultValueFactory = _ => SealServiceSocket.DefaultPath,
    };

    public static Command Create()
    {
        var command = new Command("daemon", $"""
            Run exeseald: discover and compose the plugins once, then answer seal requests from exeseal-runtime on a
            unix socket until SIGTERM or SIGINT. Only root's requests are served (SO_PEERCRED). A request carries the
            executable's descriptor and the clone-self-exe value; the answer carries the sealed descriptor, chosen,
            sealed and verified exactly as exeseal runtime would. The configuration is read once, at start: restart
            the daemon after changing it. Started by systemd with socket activation, it uses the socket it is given
            and leaves it open for the next daemon (see samples/systemd).
            Example: exeseal daemon --socket {SealServiceSocket.DefaultPath} --log-level info
            """);
        command.Options.Add(Socket);
        command.SetExesealAction(Run);
        return command;
    }

    private static int Run(Session session, ParseResult parse, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, StopServing);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, StopServing);
        using var socket = SealServiceSocket.Open(parse.GetValue(Socket)!);
        Compose(session);
        session.Logger.LogInformation("exeseald listens on {Socket}", socket.Description);
        session.Get<SealServer>().Serve(socket.Listener, stop.Token);
        session.Logger.LogInformation("exeseald stopped");
        return ExitCodes.Success;

        void StopServing(PosixSignalContext signal)
        {
            signal.Cancel = true;
            stop.Cancel();
        }
    }

    // Every provider a chain names is constructed and probed before the first request, so no container start
    // pays for a plugin's composition, and a provider that cannot work here is in the log from the start.
    private static void Compose(Session session)
    {
        var catalog = session.Get<ProviderCatalog>();
        var policy = session.Get<ChainPolicy>();
        foreach (var error in catalog.Errors)
        {
            session.Logger.LogWarning("{Plugin}: {Problem}", error.Plugin, error.Message);
        }

        var named = policy.Rules.Prepend(policy.DefaultRule).SelectMany(rule => rule.Chain.Providers).Distinct(StringComparer.Ordinal);
        foreach (var registration in named.Select(catalog.Find).OfType<ProviderRegistration>())
        {
            try
            {
                var probe = registration.Provider.Probe();
                session.Logger.LogInformation(
                    "provider {Provider}: {Availability}", registration.Name, probe.Available ? "available" : $"not available: {probe.Reason}");
            }
#pragma warning disable CA1031 // A plugin's constructor or probe may throw anything; each seal meets it again as that provider's failure.
            catch (Exception error)
#pragma warning restore CA1031
            {
                session.Logger.LogWarning("provider {Provider} failed at start-up: {Reason}", registration.Name, error.Message);
            }
        }
    }
}
