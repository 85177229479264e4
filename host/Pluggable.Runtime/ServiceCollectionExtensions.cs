using Microsoft.Extensions.DependencyInjection;
using Pluggable.Runtime.Configuration;
using Pluggable.Runtime.Discovery;
using Pluggable.Runtime.Policy;
using Pluggable.Runtime.Sealing;
using Pluggable.Runtime.Verification;

namespace Pluggable.Runtime;

/// <summary>Registers the runtime in a service collection.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Adds discovery, the provider catalog (discovered on first use), the chain policy of
    /// <paramref name="configuration"/> (the embedded defaults when null), verification and the sealing runtime.
    /// The caller adds logging.
    /// </summary>
    public static IServiceCollection AddExesealRuntime(this IServiceCollection services, RuntimeOptions options, ExesealConfiguration? configuration = null)
    {
        services.AddSingleton(options);
        services.AddSingleton(configuration ?? ConfigurationLoader.Defaults());
        services.AddSingleton<ChainPolicy>();
        services.AddSingleton<ProviderSettings>();
        services.AddSingleton<IPluginAssemblyLoader, McMasterPluginAssemblyLoader>();
        services.AddSingleton<PluginDiscovery>();
        services.AddSingleton(provider => provider.GetRequiredService<PluginDiscovery>().Discover(options.PluginDirectories));
        services.AddSingleton<SealVerifier>();
        services.AddSingleton<SealingRuntime>();
        services.AddSingleton<ExecutableSealer>();
        services.AddSingleton<Service.SealServer>();
        return services;
    }
}
