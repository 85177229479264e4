using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Pluggable.Runtime;
using Pluggable.Runtime.Discovery;
using Pluggable.Runtime.Sealing;

namespace Pluggable.Tests.Support;

/// <summary>The runtime as the CLI builds it, with the built-in plugins and the test plugins discovered once.</summary>
public sealed class RuntimeFixture : IDisposable
{
    private readonly ServiceProvider services;

    public RuntimeFixture()
        : this(verifyContent: true)
    {
    }

    internal RuntimeFixture(bool verifyContent, IReadOnlyDictionary<string, TimeSpan>? sealTimeouts = null)
    {
        var options = new RuntimeOptions
        {
            PluginDirectories = [Paths.BuiltInPlugins, Paths.TestPlugins],
            VerifyContent = verifyContent,
            SealTimeouts = sealTimeouts ?? new Dictionary<string, TimeSpan>(),
        };
        services = new ServiceCollection().AddLogging().AddExesealRuntime(options).BuildServiceProvider();
    }

    public ProviderCatalog Catalog => services.GetRequiredService<ProviderCatalog>();

    public SealingRuntime Runtime => services.GetRequiredService<SealingRuntime>();

    public SealOutcome Seal(SourceExecutable source, params string[] chain)
    {
        using var state = StateDirectory.CreatePrivate(Path.GetTempPath(), NullLogger.Instance);
        return Runtime.Seal(source, new SealChain("", chain, SealChainOrigin.ProviderOverride), state, TestContext.Current.CancellationToken);
    }

    public void Dispose() => services.Dispose();
}
