using System.Buffers;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Pluggable.Runtime.Verification;

/// <summary>SHA-256 of a file's bytes, read through a handle without moving its position.</summary>
public static class ContentDigest
{
    /// <summary>The lower-case hex SHA-256 of the first <paramref name="size"/> bytes behind <paramref name="handle"/>.</summary>
    public static string Sha256(SafeFileHandle handle, long size)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            long offset = 0;
            int read;
            while (offset < size && (read = RandomAccess.Read(handle, buffer, offset)) > 0)
            {
                hash.AppendData(buffer, 0, (int)Math.Min(read, size - offset));
                offset += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
