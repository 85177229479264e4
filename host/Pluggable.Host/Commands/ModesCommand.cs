using System.CommandLine;
using Pluggable.Host.Cli;
using Pluggable.Host.Output;
using Pluggable.Runtime;
using Pluggable.Runtime.Configuration;
using Pluggable.Runtime.Policy;

namespace Pluggable.Host.Commands;

/// <summary><c>exeseal modes</c>: the annotation values an operator configured, their chains, and which are allowed.</summary>
internal static class ModesCommand
{
    public static Command Create()
    {
        var command = new Command("modes", $"""
            Show the {ChainPolicy.Annotation} values in effect: each value's chain of providers, whether policy
            allows it (and why not), and whether it comes from the embedded defaults or the configuration file.
            Example: exeseal modes --config /etc/exeseal/exeseal.json
            """);
        command.SetExesealAction((session, _, _) => Run(session));
        return command;
    }

    private static int Run(Session session)
    {
        var policy = session.Get<ChainPolicy>();
        var configuration = session.Get<ExesealConfiguration>();
        var report = new ModesReport(
            configuration.File,
            configuration.AllowExperimental,
            ToReport(policy.DefaultRule),
            policy.Rules.Select(ToReport).ToList());
        if (session.Json)
        {
            Session.WriteJson(report, ReportJson.Output.ModesReport);
            return ExitCodes.Success;
        }

        Console.Out.WriteLine($"configuration: {report.Config ?? "(embedded defaults)"}");
        TextTable.Write(
            ["VALUE", "CHAIN", "FROM", "POLICY"],
            report.Modes.Prepend(report.DefaultChain with { Value = "(absent)" })
                .Select(m => new[] { m.Value, string.Join(" → ", m.Providers), m.Source, m.Allowed ? "allowed" : "refused: " + m.Reason }));

        return ExitCodes.Success;
    }

    private static ModeReport ToReport(ModeRule rule) => new(
        rule.Value,
        rule.Chain.Providers,
        rule.Chain.Origin == SettingOrigin.Defaults ? "defaults" : "file",
        rule.RefusedBecause is null,
        rule.RefusedBecause);
}
