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
public sealed class SealingRuntime : IDisposable
{
    private readonly SealWorkers workers = new();
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
        var started = Stopwatch.GetTimestamp();
        if (chain.MayReuseSealedSource && AlreadySealed(source) is { } reused)
        {
            logger.LogDebug("{Source} is already a sealed memfd; using it as it is", source.Path);
            return new SealOutcome(reused, chain.Mode, [], new VerifiedProperties(Seals.OfMemfd(reused.Handle), false, null), MicrosecondsSince(started));
        }

        var attempts = new List<SealAttempt>();
        string? sourceSha256 = null;
        for (var i = 0; i < chain.Providers.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = chain.Providers[i];
            var attemptStarted = Stopwatch.GetTimestamp();
            try
            {
                var (executable, verified) = SealWith(name, source, state, ref sourceSha256, cancellationToken);
                attempts.Add(new SealAttempt(name, true, null, MicrosecondsSince(attemptStarted)));
                return new SealOutcome(executable, chain.Mode, attempts, verified, MicrosecondsSince(started));
            }
            catch (SealingException error)
            {
                attempts.Add(new SealAttempt(name, false, error.Message, MicrosecondsSince(attemptStarted)));
                if (i + 1 < chain.Providers.Count)
                {
                    logger.LogDebug("could not use {Provider} for {Source}: {Reason} -- falling back to {Next}", name, source.Path, error.Message, chain.Providers[i + 1]);
                }
            }
        }

        throw new SealingFailedException(FailureMessage(source, chain, attempts), attempts);
    }

    /// <summary>Ends the threads kept for later seals; a hung provider's thread ends when its provider returns.</summary>
    public void Dispose() => workers.Dispose();

    private (SealedExecutable Executable, VerifiedProperties Verified) SealWith(
        string name, SourceExecutable source, StateDirectory state, ref string? sourceSha256, CancellationToken cancellationToken)
    {
        var registration = catalog.Find(name) ?? throw new SealingException($"no provider named \"{name}\" is loaded (see exeseal providers)");
        var provider = registration.Provider;
        ProviderProbe probe;
        try
        {
            probe = provider.Probe();
        }
        catch (Exception error) when (IsPluginFault(error))
        {
            throw PluginFault(registration, "Probe", error);
        }

        if (!probe.Available)
        {
            throw new SealingException($"{name} is not available here: {probe.Reason}");
        }

        var request = new SealRequest(source.Handle, source.Path, source.Size, state.Path, logger) { Settings = settings.For(name) };
        SealedExecutable? sealedExecutable;
        try
        {
            sealedExecutable = SealInTime(registration, provider, request, cancellationToken);
        }
        catch (Exception error) when (IsPluginFault(error))
        {
            throw PluginFault(registration, "Seal", error);
        }

        var executable = sealedExecutable ?? throw new SealingException($"provider {name} ({registration.Plugin}) returned no sealed object");
        try
        {
            return (executable, verifier.Verify(executable, source, registration, ref sourceSha256));
        }
        catch
        {
            executable.Dispose();
            throw;
        }
    }

    // A provider stuck in a system call (a hung FUSE or NFS source, a blocked mount) cannot be interrupted from
    // managed code: it is left running on its worker, asked to cancel, and whatever it returns later is closed.
    private SealedExecutable? SealInTime(ProviderRegistration registration, ISealingProvider provider, SealRequest request, CancellationToken cancellationToken)
    {
        var timeout = options.SealTimeout(registration.Name);
        var worker = workers.Rent();
        worker.Begin(provider, request);
        bool finished;
        try
        {
            finished = worker.Wait(timeout, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            GiveUp(worker);
            throw;
        }

        if (!finished && worker.TryAbandon())
        {
            throw new SealingException(
                $"provider {registration.Name} ({registration.Plugin}) did not finish sealing within {timeout.TotalSeconds:0.###} s (sealTimeouts); it was abandoned");
        }

        try
        {
            return worker.TakeResult();
        }
        finally
        {
            workers.Return(worker);
        }
    }

    // The caller cancelled: nothing the provider returns is wanted, whether it is still running or just finished.
    private void GiveUp(SealWorker worker)
    {
        if (worker.TryAbandon())
        {
            return;
        }

        try
        {
            worker.TakeResult()?.Dispose();
        }
#pragma warning disable CA1031 // The cancellation is what the caller sees; a failure of the unwanted seal changes nothing.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        finally
        {
            workers.Return(worker);
        }
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

    // Whatever a plugin throws is that provider's failure, not the host's; cancellation stays cancellation.
    private static bool IsPluginFault(Exception error) => error is not (SealingException or OperationCanceledException);

    private static SealingException PluginFault(ProviderRegistration registration, string method, Exception error) =>
        new($"provider {registration.Name} ({registration.Plugin}) threw in {method}: {error.GetType().Name}: {error.Message}", error);

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

    private static long MicrosecondsSince(long timestamp) => (Stopwatch.GetTimestamp() - timestamp) * 1_000_000 / Stopwatch.Frequency;
}
