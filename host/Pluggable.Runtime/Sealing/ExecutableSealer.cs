using Microsoft.Extensions.Logging;
using Pluggable.Runtime.Discovery;
using Pluggable.Runtime.Policy;
using Pluggable.Runtime.Selection;
using Pluggable.Runtime.State;

namespace Pluggable.Runtime.Sealing;

/// <summary>
/// One request to seal a file, as the CLI and the daemon both serve it: the chain the annotation (or a provider
/// override) selects, a state directory, the seal, and state.json when the operator gave the directory.
/// </summary>
public sealed class ExecutableSealer(
    ProviderCatalog catalog, ChainPolicy policy, SealingRuntime runtime, RuntimeOptions options, ILogger<ExecutableSealer> logger)
{
    /// <summary>
    /// Seals <paramref name="source"/> with the chain <paramref name="selection"/> chooses, or with
    /// <paramref name="providerOverride"/> alone. With <paramref name="stateDirectory"/>, providers work there and
    /// the result is recorded in its state.json before it is returned; without, a private directory is used and removed.
    /// </summary>
    public SealOutcome Seal(
        SourceExecutable source, AnnotationSelection selection, string? providerOverride, string? stateDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(selection);
        if (providerOverride is not null && catalog.RefusedByTrust(providerOverride) is { } distrust)
        {
            throw new RefusedException($"--provider {providerOverride}: its plugin {distrust.Plugin} was {distrust.Message}");
        }

        var chain = providerOverride is null
            ? policy.Select(selection.Value)
            : new SealChain(selection.Value ?? "", [providerOverride], SealChainOrigin.ProviderOverride);
        using var state = stateDirectory is null
            ? StateDirectory.CreatePrivate(options.StateRoot, logger)
            : StateDirectory.UseGiven(stateDirectory);
        var outcome = runtime.Seal(source, chain, state, cancellationToken);
        try
        {
            if (stateDirectory is not null)
            {
                StateRecord.Of(outcome, source, selection.Annotations).WriteTo(state.Path);
            }

            return outcome;
        }
        catch
        {
            outcome.Dispose();
            throw;
        }
    }
}
