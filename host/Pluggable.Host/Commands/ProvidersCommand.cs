using System.CommandLine;
using Pluggable.Abstractions;
using Pluggable.Host.Cli;
using Pluggable.Host.Output;
using Pluggable.Runtime;
using Pluggable.Runtime.Configuration;
using Pluggable.Runtime.Discovery;

namespace Pluggable.Host.Commands;

/// <summary><c>exeseal providers</c>: what was discovered, whether it can work here, and what failed to load.</summary>
internal static class ProvidersCommand
{
    public static Command Create()
    {
        var command = new Command("providers", """
            List the sealing providers found in the plugin directories, whether each can work on this host
            (and why not), every plugin that was skipped, and every providers.<name>.<key> setting that no
            loaded provider reads.
            Example: exeseal providers --plugins /opt/vendor/exeseal-plugins
            """);
        command.SetExesealAction((session, _, _) => Run(session));
        return command;
    }

    private static int Run(Session session)
    {
        var catalog = session.Get<ProviderCatalog>();
        var errors = catalog.Errors.Select(e => new PluginErrorReport(e.Plugin, e.Message)).ToList();
        var providers = new List<ProviderReport>();
        foreach (var registration in catalog.Providers)
        {
            ProviderProbe probe;
            try
            {
                probe = registration.Provider.Probe();
            }
#pragma warning disable CA1031 // A plugin's constructor or probe may throw anything; it is listed, not fatal.
            catch (Exception error)
#pragma warning restore CA1031
            {
                var message = error is SealingException ? error.Message : $"provider {registration.Name} threw in Probe: {error.Message}";
                errors.Add(new PluginErrorReport(registration.Plugin, message));
                continue;
            }

            var metadata = registration.Metadata;
            providers.Add(new ProviderReport(
                metadata.Name, metadata.Guarantee.ToName(), metadata.Experimental, probe.Available, probe.Reason,
                registration.Plugin, registration.Version, metadata.Description));
        }

        var report = new ProvidersReport(providers, errors, session.Get<ProviderSettings>().Problems(catalog));
        if (session.Json)
        {
            Session.WriteJson(report, ReportJson.Output.ProvidersReport);
        }
        else
        {
            WriteTable(report);
        }

        return ExitCodes.Success;
    }

    private static void WriteTable(ProvidersReport report)
    {
        TextTable.Write(
            ["NAME", "GUARANTEE", "EXPERIMENTAL", "AVAILABLE", "VERSION", "REASON"],
            report.Providers.Select(p => new[] { p.Name, p.Guarantee, p.Experimental ? "yes" : "no", p.Available ? "yes" : "no", p.Version, p.Reason ?? "" }));

        foreach (var plugin in report.Providers.Select(p => p.Plugin).Distinct())
        {
            Console.Out.WriteLine($"plugin: {plugin}");
        }

        foreach (var error in report.Errors)
        {
            Console.Out.WriteLine($"error: {error.Plugin}: {error.Message}");
        }

        foreach (var warning in report.SettingsWarnings)
        {
            Console.Out.WriteLine($"warning: {warning}");
        }
    }
}
