using System.Composition;
using System.Reflection;
using McMaster.NETCore.Plugins;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Pluggable.Abstractions;
using Pluggable.Linux;

namespace Pluggable.Runtime.Discovery;

/// <summary>Loads plugins with McMaster.NETCore.Plugins, one load context each.</summary>
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
    public Assembly Load(string assemblyPath) =>
        PluginLoader.CreateFromAssemblyFile(assemblyPath, SharedTypes).LoadDefaultAssembly();
}
