using System.Composition;
using System.Composition.Hosting;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Pluggable.Abstractions;

namespace Pluggable.Runtime.Discovery;

/// <summary>
/// Finds sealing providers in plugin directories: each directory holds one folder per plugin,
/// <c>&lt;Name&gt;/&lt;Name&gt;.dll</c>. A plugin that cannot be used is reported and skipped; it never stops the others.
/// </summary>
public sealed class PluginDiscovery(IPluginAssemblyLoader loader, ILogger<PluginDiscovery> logger)
{
    /// <summary>Discovers the providers of <paramref name="directories"/>, in order; the first provider of a name wins.</summary>
    public ProviderCatalog Discover(IEnumerable<string> directories)
    {
        ArgumentNullException.ThrowIfNull(directories);
        var providers = new List<ProviderRegistration>();
        var errors = new List<PluginError>();
        var refused = new Dictionary<string, PluginError>(StringComparer.Ordinal);
        var trust = new PluginTrust();
        foreach (var root in directories.Select(Path.GetFullPath))
        {
            foreach (var plugin in PluginAssemblies(root))
            {
                if (PluginTrust.Applies && trust.Refusal(root, Path.GetDirectoryName(plugin)!) is { } distrust)
                {
                    var error = new PluginError(plugin, $"refused: {distrust}");
                    errors.Add(error);
                    foreach (var name in PluginTrust.DeclaredProviderNames(plugin))
                    {
                        refused.TryAdd(name, error);
                    }

                    logger.LogDebug("plugin {Plugin} refused: {Reason}", plugin, distrust);
                    continue;
                }

                foreach (var registration in LoadPlugin(plugin, errors))
                {
                    var taken = providers.Find(p => p.Name == registration.Name);
                    if (taken is null)
                    {
                        providers.Add(registration);
                    }
                    else
                    {
                        errors.Add(new PluginError(plugin, $"provider name \"{registration.Name}\" is already taken by {taken.Plugin}; this one is ignored"));
                    }
                }
            }
        }

        return new ProviderCatalog(providers, errors, refused);
    }

    // Paths alone, not (directory, assembly) tuples: LINQ over a value type is not in the framework's ReadyToRun
    // images and would be compiled by the JIT at every start.
    private IEnumerable<string> PluginAssemblies(string root)
    {
        if (!Directory.Exists(root))
        {
            logger.LogDebug("plugin directory {Directory} does not exist", root);
            return [];
        }

        return Directory.EnumerateDirectories(root)
            .Order(StringComparer.Ordinal)
            .Select(folder => Path.Combine(folder, Path.GetFileName(folder) + ".dll"))
            .Where(File.Exists);
    }

    private List<ProviderRegistration> LoadPlugin(string assemblyPath, List<PluginError> errors)
    {
        try
        {
            if (ContractCompatibility.Refusal(assemblyPath) is { } refusal)
            {
                errors.Add(new PluginError(assemblyPath, $"refused: {refusal}"));
                return [];
            }

            var assembly = loader.Load(assemblyPath);
            var container = new ContainerConfiguration().WithParts(LoadableTypes(assembly, assemblyPath, errors)).CreateContainer();
            var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                ?? assembly.GetName().Version?.ToString() ?? "";
            var registrations = container.GetExports<Lazy<ISealingProvider, SealingProviderMetadata>>()
                .Select(export => new ProviderRegistration(export.Metadata, assemblyPath, version.Split('+')[0], export))
                .ToList();
            if (registrations.Count == 0)
            {
                errors.Add(new PluginError(assemblyPath, "the assembly exports no sealing provider ([ExportSealingProvider] on a class implementing ISealingProvider)"));
            }

            if (logger.IsEnabled(LogLevel.Debug))
            {
                logger.LogDebug("plugin {Plugin}: {Count} provider(s)", assemblyPath, registrations.Count);
            }

            return registrations;
        }
#pragma warning disable CA1031 // Whatever a plugin throws while loading, the host reports it and goes on.
        catch (Exception error)
#pragma warning restore CA1031
        {
            errors.Add(new PluginError(assemblyPath, $"cannot load: {error.GetBaseException().Message}"));
            return [];
        }
    }

    // One broken type must not hide the plugin's other types from MEF.
    private static IEnumerable<Type> LoadableTypes(Assembly assembly, string assemblyPath, List<PluginError> errors)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException error)
        {
            foreach (var cause in error.LoaderExceptions.OfType<Exception>().Select(e => e.Message).Distinct())
            {
                errors.Add(new PluginError(assemblyPath, $"a type cannot be loaded: {cause}"));
            }

            return error.Types.OfType<Type>();
        }
    }
}
