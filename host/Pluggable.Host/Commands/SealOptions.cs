using System.CommandLine;
using Pluggable.Runtime;
using Pluggable.Runtime.Sealing;

namespace Pluggable.Host.Commands;

/// <summary>The options <c>seal</c> and <c>exec</c> share: how the chain is chosen.</summary>
internal static class SealOptions
{
    public static readonly Option<string?> Provider = new("--provider")
    {
        Description = "seal with this provider only, whatever the annotation says (a diagnostic override for operators)",
    };

    public static IEnumerable<Option> All => [Provider];

    public static SealChain ChooseChain(ParseResult parse) =>
        parse.GetValue(Provider) is { } provider ? new SealChain("", [provider]) : new SealChain("", ["memfd"]);

    public static SealOutcome SealFile(Cli.Session session, SourceExecutable source, ParseResult parse, CancellationToken cancellationToken)
    {
        using var state = StateDirectory.CreatePrivate(session.Get<RuntimeOptions>().StateRoot, session.Logger);
        return session.Get<SealingRuntime>().Seal(source, ChooseChain(parse), state, cancellationToken);
    }
}
