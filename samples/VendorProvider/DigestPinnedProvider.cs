using System.Buffers;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using Pluggable.Abstractions;
using Pluggable.Linux;

namespace VendorProvider;

/// <summary>
/// An independent copy in a sealed memfd, used only when its bytes are the ones the operator pinned for that path
/// (<c>providers.digest-pinned.digests</c>: path → SHA-256). The digest is taken from the sealed copy, not the
/// source: the copy is what runs, and once sealed it cannot change between the check and the exec.
/// </summary>
[ExportSealingProvider(
    Name,
    Guarantee = SealingGuarantee.IndependentDataCopy,
    Description = "memfd copy sealed SEAL|SHRINK|GROW|WRITE, refused unless its SHA-256 is pinned for the path",
    Settings = [DigestsSetting])]
public sealed class DigestPinnedProvider : ISealingProvider
{
    private const string Name = "digest-pinned";
    private const string DigestsSetting = "digests";
    private const int ExecuteOnly = 0x149; // 0511, as runc leaves its clone.

    /// <inheritdoc/>
    public ProviderProbe Probe() => ProviderProbe.Ready;

    /// <inheritdoc/>
    public SealedExecutable Seal(SealRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var path = Path.GetFullPath(request.SourcePath);
        var pinned = PinnedDigest(request, path);
        var memfd = CreateMemfd($"{Name}:{Path.GetFileName(path)}");
        try
        {
            FileCopy.Copy(request.Source, memfd, request.SourceSize, path);
            Files.ChangeMode(memfd, ExecuteOnly, "the digest-pinned copy");
            Seals.Add(memfd, FileSeals.RuntimeCloned, "the digest-pinned copy");
            cancellationToken.ThrowIfCancellationRequested();
            var actual = Sha256(memfd, request.SourceSize);
            if (!string.Equals(actual, pinned, StringComparison.OrdinalIgnoreCase))
            {
                throw new SealingException($"{path} has SHA-256 {actual}, not the {pinned} pinned in providers.{Name}.{DigestsSetting}");
            }

            request.Logger.LogDebug("{Provider}: {Path} matches its pinned SHA-256", Name, path);
            return new SealedExecutable(memfd, Name, SealingGuarantee.IndependentDataCopy);
        }
        catch
        {
            memfd.Dispose();
            throw;
        }
    }

    private static SafeFileHandle CreateMemfd(string name)
    {
        try
        {
            return MemoryFile.Create(name, MemoryFile.CloseOnExec | MemoryFile.AllowSealing | MemoryFile.Executable);
        }
        catch (SealingException error) when (error.Errno == Errno.EINVAL)
        {
            // MFD_EXEC exists from Linux 6.3; older kernels refuse it, and make every memfd executable.
            return MemoryFile.Create(name, MemoryFile.CloseOnExec | MemoryFile.AllowSealing);
        }
    }

    private static string PinnedDigest(SealRequest request, string path)
    {
        var digests = request.Settings.GetSection(DigestsSetting);
        var pinned = digests.GetChildren().FirstOrDefault(entry => entry.Key == path)?.Value;
        if (string.IsNullOrEmpty(pinned))
        {
            throw new SealingException($"no SHA-256 is pinned for {path}: add it to providers.{Name}.{DigestsSetting} in the configuration");
        }

        var hex = pinned.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase) ? pinned["sha256:".Length..] : pinned;
        return hex.Length == 64 && hex.All(char.IsAsciiHexDigit)
            ? hex
            : throw new SealingException($"providers.{Name}.{DigestsSetting} pins \"{pinned}\" for {path}, which is not a SHA-256 (64 hex digits)");
    }

    private static string Sha256(SafeFileHandle handle, long size)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            for (long offset = 0; offset < size;)
            {
                var read = RandomAccess.Read(handle, buffer.AsSpan(0, (int)Math.Min(buffer.Length, size - offset)), offset);
                if (read == 0)
                {
                    break;
                }

                hash.AppendData(buffer, 0, read);
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
