using System.Buffers.Binary;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Pluggable.Tests.Support;

/// <summary>
/// Rewrites the version of an assembly reference in a built plugin, to get a plugin "built against" a contract
/// version that does not exist yet without building one.
/// </summary>
public static class ContractReference
{
    public static Version Of(string assemblyPath, string reference)
    {
        using var image = new PEReader(File.OpenRead(assemblyPath));
        var metadata = image.GetMetadataReader();
        return metadata.AssemblyReferences.Select(metadata.GetAssemblyReference)
            .Single(r => metadata.GetString(r.Name) == reference).Version;
    }

    public static void SetMajor(string assemblyPath, string reference, ushort major)
    {
        var bytes = File.ReadAllBytes(assemblyPath);
        int offset;
        using (var image = new PEReader(new MemoryStream(bytes)))
        {
            var metadata = image.GetMetadataReader();
            var handle = metadata.AssemblyReferences.Single(h => metadata.GetString(metadata.GetAssemblyReference(h).Name) == reference);
            // An AssemblyRef row starts with its MajorVersion (ECMA-335 II.22.5).
            offset = image.PEHeaders.MetadataStartOffset
                + metadata.GetTableMetadataOffset(TableIndex.AssemblyRef)
                + ((MetadataTokens.GetRowNumber(handle) - 1) * metadata.GetTableRowSize(TableIndex.AssemblyRef));
        }

        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(offset), major);
        File.WriteAllBytes(assemblyPath, bytes);
    }
}
