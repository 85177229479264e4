namespace Pluggable.Runtime.Sealing;

/// <summary>What chose a chain.</summary>
public enum SealChainOrigin
{
    /// <summary>No annotation value: the default chain, best effort.</summary>
    Default,

    /// <summary>An explicit annotation value: its chain only, and failure is fatal.</summary>
    Annotation,

    /// <summary>The operator's --provider override.</summary>
    ProviderOverride,
}

/// <summary>The providers to try, in order, and the annotation value that chose them.</summary>
/// <param name="Mode">The value of the annotation exactly as given; empty when it is absent.</param>
/// <param name="Providers">Provider names, tried in this order until one produces a verified seal.</param>
/// <param name="Origin">What chose the chain.</param>
public sealed record SealChain(string Mode, IReadOnlyList<string> Providers, SealChainOrigin Origin)
{
    /// <summary>
    /// Only a chain chosen by default may reuse a source that is already a sealed memfd: whoever asks for a value
    /// (or a provider) explicitly wants a fresh seal, not a shared one.
    /// </summary>
    public bool MayReuseSealedSource => Origin == SealChainOrigin.Default;
}
