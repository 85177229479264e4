using System.CommandLine;
using Pluggable.Host.Cli;
using Pluggable.Runtime;
using Pluggable.Runtime.Discovery;
using Pluggable.Runtime.Policy;
using Pluggable.Runtime.Sealing;
using Pluggable.Runtime.Selection;
using Pluggable.Runtime.State;

namespace Pluggable.Host.Commands;

/// <summary>The options of every command that seals: how the chain is chosen and where state goes.</summary>
internal static class SealOptions
{
    public static readonly Option<string?> Mode = new("--mode")
    {
        Description = $"the {ChainPolicy.Annotation} value: independent-data-copy, ro-shared-page, or another configured value (see exeseal modes); absent or empty: the default chain",
    };

    public static readonly Option<string[]> Annotation = new("--annotation")
    {
        Description = $"an OCI annotation KEY=VALUE (repeatable); {ChainPolicy.Annotation} selects the chain, the others are recorded in state.json",
    };

    public static readonly Option<string?> Bundle = new("--bundle")
    {
        Description = "an OCI bundle directory whose config.json annotations select the chain",
    };

    public static readonly Option<string?> StateDir = new("--state-dir")
    {
        Description = "keep the providers' work here and write state.json (atomically); default: a private directory under stateRoot, removed afterwards",
    };

    public static readonly Option<string?> Provider = new("--provider")
    {
        Description = "seal with this provider only, whatever the annotation says (a diagnostic override for operators)",
    };

    public static IEnumerable<Option> All => [Mode, Annotation, Bundle, StateDir, Provider];

    public static AnnotationSelection ChooseAnnotations(ParseResult parse, IEnumerable<AnnotationSource> more)
    {
        var sources = new List<AnnotationSource>();
        if (parse.GetValue(Bundle) is { } bundle)
        {
            sources.Add(new AnnotationSource($"--bundle {bundle}", OciBundle.ReadAnnotations(bundle)));
        }

        sources.AddRange(more);
        sources.Add(AnnotationSelection.FromArguments(parse.GetValue(Annotation) ?? []));
        if (parse.GetValue(Mode) is { } mode)
        {
            sources.Add(new AnnotationSource("--mode", new Dictionary<string, string> { [ChainPolicy.Annotation] = mode }));
        }

        return AnnotationSelection.Combine(sources);
    }

    /// <summary>
    /// Seals <paramref name="source"/> with the chain the command line selects; with --state-dir, records the
    /// result in state.json before returning it.
    /// </summary>
    public static SealOutcome SealFile(Session session, SourceExecutable source, ParseResult parse, AnnotationSelection selection, CancellationToken cancellationToken) =>
        session.Get<ExecutableSealer>().Seal(source, selection, parse.GetValue(Provider), parse.GetValue(StateDir), cancellationToken);
}
