using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Pluggable.Abstractions;
using Pluggable.Linux;
using Pluggable.Runtime.Configuration;
using Pluggable.Runtime.Discovery;
using Pluggable.Runtime.Verification;

namespace Pluggable.Runtime.Sealing;

/// <summary>
/// Runs a chain: each provider in turn seals the source, verification checks the result, and the first
/// verified result wins. A provider that throws, is unavailable or fails verification is one failed attempt.
/// </summary>
public sealed class SealingRuntime
{
    private readonly ProviderCatalog catalog;
    private readonly SealVerifier verifier;
    private readonly ProviderSettings settings;
    private readonly ILogger<SealingRuntime> logger;
    private readonly RuntimeOptions options;

    /// <summary>A runtime over <paramref name="catalog"/>; reports the operator's provider settings that no provider reads.</summary>
    public SealingRuntime(ProviderCatalog catalog, SealVerifier verifier, ProviderSettings settings, ILogger<SealingRuntime> logger, RuntimeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        this.options = options ?? new RuntimeOptions();
        this.catalog = catalog;
        this.verifier = verifier;
        this.settings = settings;
        this.logger = logger;
        foreach (var problem in settings.Problems(catalog))
        {
            logger.LogWarning("{Problem}", problem);
        }
    }

    /// <summary>Seals <paramref name="source"/> with the first provider of <paramref name="chain"/> that succeeds.</summary>
    public SealOutcome Seal(SourceExecutable source, SealChain chain, StateDirectory state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(state);
        var total = Stopwatch.StartNew();
        if (chain.MayReuseSealedSource && AlreadySealed(source) is { } reused)
        {
            logger.LogDebug("{Source} is already a sealed memfd; using it as it is", source.Path);
            return new SealOutcome(reused, chain.Mode, [], new VerifiedProperties(Seals.OfMemfd(reused.Handle), false, null), Microseconds(total));
        }

        var attempts = new List<SealAttempt>();
        for (var i = 0; i < chain.Providers.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = chain.Providers[i];
            var clock = Stopwatch.StartNew();
            try
            {
                var (executable, verified) = SealWith(name, source, state, cancellationToken);
                attempts.Add(new SealAttempt(name, true, null, Microseconds(clock)));
                return new SealOutcome(executable, chain.Mode, attempts, verified, Microseconds(total));
            }
            catch (SealingException error)
            {
                attempts.Add(new SealAttempt(name, false, error.Message, Microseconds(clock)));
                if (i + 1 < chain.Providers.Count)
                {
                    logger.LogDebug("could not use {Provider} for {Source}: {Reason} -- falling back to {Next}", name, source.Path, error.Message, chain.Providers[i + 1]);
                }
            }
        }

        throw new SealingFailedException(FailureMessage(source, chain, attempts), attempts);
    }

    private (SealedExecutable Executable, VerifiedProperties Verified) SealWith(
        string name, SourceExecutable source, StateDirectory state, CancellationToken cancellationToken)
    {
        var registration = catalog.Find(name) ?? throw new SealingException($"no provider named \"{name}\" is loaded (see exeseal providers)");
        var provider = registration.Provider;
        var probe = CallPlugin(registration, "Probe", provider.Probe);
        if (!probe.Available)
        {
            throw new SealingException($"{name} is not available here: {probe.Reason}");
        }

        var request = new SealRequest(source.Handle, source.Path, source.Size, state.Path, logger) { Settings = settings.For(name) };
        var executable = CallPlugin(registration, "Seal", () => SealInTime(registration, provider, request, cancellationToken))
            ?? throw new SealingException($"provider {name} ({registration.Plugin}) returned no sealed object");
        try
        {
            return (executable, verifier.Verify(executable, source, registration));
        }
        catch
        {
            executable.Dispose();
            throw;
        }
    }

    // A provider stuck in a system call (a hung FUSE or NFS source, a blocked mount) cannot be interrupted from
    // managed code: it is left running on its thread, asked to cancel, and whatever it returns later is closed.
    private SealedExecutable SealInTime(ProviderRegistration registration, ISealingProvider provider, SealRequest request, CancellationToken cancellationToken)
    {
        var timeout = options.SealTimeout(registration.Name);
        var abandon = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var seal = Task.Run(() => provider.Seal(request, abandon.Token), CancellationToken.None);
        bool finished;
        try
        {
            finished = seal.Wait(timeout, cancellationToken);
        }
        catch (AggregateException)
        {
            finished = true; // GetResult below rethrows the provider's own exception, not the aggregate.
        }

        if (finished)
        {
            abandon.Dispose();
            return seal.GetAwaiter().GetResult();
        }

        abandon.Cancel();
        _ = seal.ContinueWith(
            late =>
            {
                abandon.Dispose();
                if (late.IsCompletedSuccessfully)
                {
                    late.Result?.Dispose();
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        throw new SealingException(
            $"provider {registration.Name} ({registration.Plugin}) did not finish sealing within {timeout.TotalSeconds:0.###} s (sealTimeouts); it was abandoned");
    }

    /// <summary>The name of the result when the source was already sealed and no provider ran.</summary>
    public const string AlreadySealedProvider = "already-sealed";

    // runc, crun and youki skip their own copy when /proc/self/exe carries these seals; so does exeseal when no
    // value asks for a fresh one.
    private static SealedExecutable? AlreadySealed(SourceExecutable source)
    {
        var seals = Seals.OfMemfd(source.Handle);
        if (seals is not { } present || (present & FileSeals.RuntimeCloned) != FileSeals.RuntimeCloned)
        {
            return null;
        }

        var handle = Files.Reopen(source.Handle, OpenFlags.ReadOnly | OpenFlags.CloseOnExec);
        return new SealedExecutable(handle, AlreadySealedProvider, SealingGuarantee.IndependentDataCopy);
    }

    // Whatever a plugin throws is that provider's failure, not the host's.
    private static T CallPlugin<T>(ProviderRegistration registration, string method, Func<T> call)
    {
        try
        {
            return call();
        }
        catch (SealingException)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            throw;
        }
#pragma warning disable CA1031
        catch (Exception error)
#pragma warning restore CA1031
        {
            throw new SealingException($"provider {registration.Name} ({registration.Plugin}) threw in {method}: {error.GetType().Name}: {error.Message}", error);
        }
    }

    private static string FailureMessage(SourceExecutable source, SealChain chain, List<SealAttempt> attempts)
    {
        var reasons = string.Join("; ", attempts.Select(a => $"{a.Provider}: {a.Error}"));
        var what = chain.Origin switch
        {
            SealChainOrigin.Annotation => $"clone-self-exe value \"{chain.Mode}\"",
            SealChainOrigin.ProviderOverride => "--provider",
            _ => "the default chain",
        };
        return $"cannot seal {source.Path} with {what} ({string.Join(" → ", chain.Providers)}); nothing was executed. {reasons}";
    }

    private static long Microseconds(Stopwatch clock) => clock.ElapsedTicks * 1_000_000 / Stopwatch.Frequency;
}
