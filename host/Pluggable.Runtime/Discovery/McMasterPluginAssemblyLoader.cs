using System.Composition;
using System.Reflection;
using McMaster.NETCore.Plugins.Loader;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Pluggable.Abstractions;
using Pluggable.Linux;

namespace Pluggable.Runtime.Discovery;

/// <summary>Loads plugins with McMaster.NETCore.Plugins, one load context each.</summary>
/// <remarks>
/// The context comes from McMaster's <see cref="AssemblyLoadContextBuilder"/>, configured as its <c>PluginLoader</c>
/// configures it, except for one step: <c>PluginLoader</c> deserializes the plugin's and every host
/// <c>*.runtimeconfig.json</c> with reflection-based System.Text.Json (and asks for the process's main module) on
/// each load, ~20 ms of a cold start, only to find <c>additionalProbingPaths</c>. Here a file is handed to McMaster
/// for that only when it names some; a published plugin carries its dependencies in its own folder. What is left out
/// is the runtime package store (<c>dotnet store</c>) that <c>PluginLoader</c> adds when the host runs under the
/// <c>dotnet</c> muxer; exeseal runs as its own executable.
/// </remarks>
public sealed class McMasterPluginAssemblyLoader : IPluginAssemblyLoader
{
    // Each type stands for its assembly. Sharing only the contract is not enough: MEF matches the export
    // attribute by type identity, and the request carries Pluggable.Linux handles and a logger, so those
    // assemblies must be the host's too or the plugin's exports are invisible. Provider settings arrive as an
    // IConfiguration, so the configuration abstractions (and the primitives they expose) are shared as well.
    private static readonly Type[] SharedTypes =
    [
        typeof(ISealingProvider),
        typeof(SystemCallFailure),
        typeof(ExportAttribute),
        typeof(ILogger),
        typeof(IConfiguration),
        typeof(IChangeToken),
    ];

    /// <inheritdoc/>
    public Assembly Load(string assemblyPath)
    {
        var builder = new AssemblyLoadContextBuilder().SetMainAssemblyPath(assemblyPath);
        foreach (var type in SharedTypes)
        {
            builder.PreferDefaultLoadContextAssembly(type.Assembly.GetName());
        }

        var pluginRuntimeConfig = Path.ChangeExtension(assemblyPath, ".runtimeconfig.json");
        foreach (var runtimeConfig in Directory.GetFiles(AppContext.BaseDirectory, "*.runtimeconfig.json").Prepend(pluginRuntimeConfig))
        {
            if (DeclaresProbingPaths(runtimeConfig))
            {
                builder.TryAddAdditionalProbingPathFromRuntimeConfig(runtimeConfig, includeDevConfig: true, out _);
            }
        }

        return builder.Build().LoadFromAssemblyPath(assemblyPath);
    }

    // The property McMaster reads, in the file or in the runtimeconfig.dev.json beside it (which it reads too).
    private static bool DeclaresProbingPaths(string runtimeConfig)
    {
        var devConfig = Path.ChangeExtension(runtimeConfig, ".dev.json");
        return Mentions(runtimeConfig) || Mentions(devConfig);

        static bool Mentions(string path) =>
            File.Exists(path) && File.ReadAllBytes(path).AsSpan().IndexOf("additionalProbingPaths"u8) >= 0;
    }
}
