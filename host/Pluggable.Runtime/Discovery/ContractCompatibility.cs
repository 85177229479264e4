using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Pluggable.Abstractions;
using Pluggable.Linux;

namespace Pluggable.Runtime.Discovery;

/// <summary>
/// Whether a plugin was compiled against the contract major version this host implements. Read from the file's
/// metadata before anything of the plugin is loaded: a plugin built against another major version would fail
/// later with a type or member load error that names neither the plugin nor the remedy.
/// </summary>
internal static class ContractCompatibility
{
    private static readonly AssemblyName[] Contract =
        [typeof(ISealingProvider).Assembly.GetName(), typeof(SystemCallFailure).Assembly.GetName()];

    /// <summary>Why <paramref name="assemblyPath"/> cannot be loaded by this host, or null when it can.</summary>
    public static string? Refusal(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var image = new PEReader(stream);
        if (!image.HasMetadata)
        {
            return "not a .NET assembly";
        }

        var metadata = image.GetMetadataReader();
        foreach (var handle in metadata.AssemblyReferences)
        {
            var reference = metadata.GetAssemblyReference(handle);
            var name = metadata.GetString(reference.Name);
            var ours = Array.Find(Contract, contract => contract.Name == name)?.Version;
            if (ours is null || reference.Version.Major == ours.Major)
            {
                continue;
            }

            return reference.Version.Major > ours.Major
                ? $"built against {name} {reference.Version.ToString(3)}, a newer major version of the contract than this exeseal's {ours.ToString(3)}; upgrade exeseal, or install a build of the plugin for contract {ours.Major}.x"
                : $"built against {name} {reference.Version.ToString(3)}, an older major version of the contract than this exeseal's {ours.ToString(3)}; rebuild the plugin against contract {ours.Major}.x";
        }

        return null;
    }
}
