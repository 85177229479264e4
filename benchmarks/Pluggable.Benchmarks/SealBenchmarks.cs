using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Pluggable.Abstractions;
using Pluggable.Runtime;
using Pluggable.Runtime.Configuration;
using Pluggable.Runtime.Discovery;
using Pluggable.Runtime.Sealing;
using Pluggable.Runtime.Verification;

namespace Pluggable.Benchmarks;

/// <summary>
/// What every seal benchmark shares: a source of each size opened once ("source opened" is where a seal starts),
/// the objects made in one iteration, closed after it, and the runtime around one provider. Each measured
/// invocation seals once; a close benchmark closes one object sealed before the iteration started.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkDotNet.Configs.BenchmarkLogicalGroupRule.ByCategory, BenchmarkDotNet.Configs.BenchmarkLogicalGroupRule.ByParams)]
public abstract class SealBenchmarks : IDisposable
{
    private SourceFile? source;
    private SourceExecutable? opened;
    private StateDirectory? state;
    private Pending? pending;

    [Params(1, 16, 128)]
    public int SizeMiB { get; set; }

    protected SourceFile Source => source ?? throw new InvalidOperationException("no global setup");

    protected SealRequest Request { get; private set; } = null!;

    protected Pending Pending => pending ?? throw new InvalidOperationException("no global setup");

    /// <summary>How many objects one iteration makes: BenchmarkDotNet's invocation count of the class.</summary>
    protected abstract int Invocations { get; }

    [GlobalSetup]
    public virtual void Setup()
    {
        source = SourceFile.Create(SizeMiB);
        Request = new SealRequest(source.Handle, source.Path, source.Size, source.StateDirectory, NullLogger.Instance);
        pending = new Pending(Invocations);
        opened = SourceExecutable.Open(source.Path);
        state = StateDirectory.UseGiven(source.StateDirectory);
    }

    [IterationCleanup]
    public void CloseWhatIsLeft() => Pending.Dispose();

    [GlobalCleanup]
    public void Dispose()
    {
        pending?.Dispose();
        opened?.Dispose();
        state?.Dispose();
        source?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Seals before the iteration, so that the benchmark closes one object per invocation.</summary>
    protected void SealAhead(Func<IDisposable> seal)
    {
        Pending.Dispose();
        for (var i = 0; i < Invocations; i++)
        {
            Pending.Add(seal());
        }
    }

    /// <summary>
    /// The whole runtime path for one provider, as <c>exeseal seal --provider</c> takes it: probe, seal and
    /// verification of the result.
    /// </summary>
    protected static SealingRuntime RuntimeFor(ISealingProvider provider, string name, SealingGuarantee guarantee)
    {
        var metadata = new SealingProviderMetadata { Name = name, Guarantee = guarantee };
        var catalog = new ProviderCatalog([new ProviderRegistration(metadata, "benchmark", "0", new Lazy<ISealingProvider>(provider))], []);
        var options = new RuntimeOptions();
        return new SealingRuntime(catalog, new SealVerifier(options), new ProviderSettings(ConfigurationLoader.Defaults()), NullLogger<SealingRuntime>.Instance, options);
    }

    protected SealOutcome SealThrough(SealingRuntime runtime, SealChain chain) =>
        runtime.Seal(opened!, chain, state!, CancellationToken.None);
}
