using System.Composition;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.Extensions.Logging;
using Pluggable.Abstractions;
using Pluggable.Linux;

namespace Pluggable.Runtime.Discovery;

/// <summary>
/// Loads each plugin into an <see cref="AssemblyLoadContext"/> of its own that resolves the plugin's files from
/// its <c>.deps.json</c> (the runtime's <see cref="AssemblyDependencyResolver"/>, as the host does for the
/// app) and takes the contract from the host. The same isolation as McMaster.NETCore.Plugins, which
/// <see cref="McMasterPluginAssemblyLoader"/> keeps available, at a fraction of the start-up cost: McMaster
/// loads the whole reference closure of every shared assembly into the host up front, about 35 ms of a cold
/// <c>exeseal exec</c> (benchmarks/results/startup).
/// </summary>
public sealed class PluginLoadContextLoader : IPluginAssemblyLoader
{
    // Each type stands for its assembly. Sharing only the contract is not enough: MEF matches the export
    // attribute by type identity, and the request carries Pluggable.Linux handles and a logger, so those
    // assemblies must be the host's too or the plugin's exports are invisible.
    private static readonly HashSet<string> SharedRoots = new(
        new[] { typeof(ISealingProvider), typeof(SystemCallFailure), typeof(ExportAttribute), typeof(ILogger) }
            .Select(type => type.Assembly.GetName().Name!),
        StringComparer.Ordinal);

    // What the shared assemblies reference, transitively, is the host's too (as with McMaster). Walking that
    // closure loads it, so it is walked only when a plugin ships an assembly of its own that might be in it.
    private static readonly Lazy<HashSet<string>> SharedClosure = new(WalkSharedClosure);

    /// <inheritdoc/>
    public Assembly Load(string assemblyPath) => new PluginContext(assemblyPath).LoadFromAssemblyPath(assemblyPath);

    private static HashSet<string> WalkSharedClosure()
    {
        var closure = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Queue<AssemblyName>(SharedRoots.Select(name => new AssemblyName(name)));
        while (pending.TryDequeue(out var name))
        {
            if (name.Name is null || !closure.Add(name.Name))
            {
                continue;
            }

            try
            {
                foreach (var reference in AssemblyLoadContext.Default.LoadFromAssemblyName(name).GetReferencedAssemblies())
                {
                    pending.Enqueue(reference);
                }
            }
            catch (Exception error) when (error is FileNotFoundException or FileLoadException or BadImageFormatException)
            {
                // Not in the host: the plugin's own copy is the only one there is.
                closure.Remove(name.Name);
            }
        }

        return closure;
    }

    private sealed class PluginContext(string assemblyPath) : AssemblyLoadContext(Path.GetFileNameWithoutExtension(assemblyPath))
    {
        private readonly AssemblyDependencyResolver resolver = new(assemblyPath);

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            if (assemblyName.Name is not { } name || SharedRoots.Contains(name))
            {
                return null;
            }

            // Not in the plugin's folder (the framework, or a package the host brings): the host's copy.
            var path = resolver.ResolveAssemblyToPath(assemblyName);
            return path is null || SharedClosure.Value.Contains(name) ? null : LoadFromAssemblyPath(path);
        }

        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
            resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } path ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;
    }
}
