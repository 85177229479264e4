using System.Reflection;

namespace Pluggable.Runtime.Discovery;

/// <summary>
/// Loads a plugin's main assembly into a load context of its own that shares the contract with the host.
/// The seam that keeps the plugin-loading library replaceable.
/// </summary>
public interface IPluginAssemblyLoader
{
    /// <summary>Loads <paramref name="assemblyPath"/> (absolute) and returns its main assembly.</summary>
    Assembly Load(string assemblyPath);
}
