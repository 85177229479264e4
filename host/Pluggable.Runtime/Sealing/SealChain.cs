namespace Pluggable.Runtime.Sealing;

/// <summary>The providers to try, in order, and the annotation value that chose them.</summary>
/// <param name="Mode">The value of the annotation exactly as given; empty when it is absent.</param>
/// <param name="Providers">Provider names, tried in this order until one produces a verified seal.</param>
public sealed record SealChain(string Mode, IReadOnlyList<string> Providers)
{
    /// <summary>Whether the value was given: then a failure of the whole chain is fatal and nothing runs.</summary>
    public bool IsExplicit => Mode.Length > 0;
}
