using Pluggable.Abstractions;
using Pluggable.Linux;
using Pluggable.Runtime.Discovery;
using Pluggable.Runtime.Sealing;

namespace Pluggable.Runtime.Verification;

/// <summary>
/// Checks what a provider returned before anything runs from it, whoever wrote the provider: the object must
/// keep the guarantee the provider's export claims.
/// </summary>
public sealed class SealVerifier(RuntimeOptions options)
{
    /// <summary>
    /// Verifies <paramref name="result"/> of <paramref name="provider"/> for <paramref name="source"/>; throws a
    /// <see cref="SealingException"/> naming the provider, its plugin and the failed check.
    /// </summary>
    public VerifiedProperties Verify(SealedExecutable result, SourceExecutable source, ProviderRegistration provider)
    {
        string? sourceSha256 = null;
        return Verify(result, source, provider, ref sourceSha256);
    }

    /// <summary>
    /// <see cref="Verify(SealedExecutable, SourceExecutable, ProviderRegistration)"/> for one of the providers a
    /// chain tries: <paramref name="sourceSha256"/> carries the source's digest from one provider to the next, so
    /// that the source is read once per seal.
    /// </summary>
    internal VerifiedProperties Verify(SealedExecutable result, SourceExecutable source, ProviderRegistration provider, ref string? sourceSha256)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(provider);
        var claimed = provider.Metadata.Guarantee;
        if (result.Guarantee != claimed)
        {
            throw Refused(provider, $"it returned a {result.Guarantee.ToName()} object but is exported as {claimed.ToName()}");
        }

        if (result.Handle.IsInvalid || result.Handle.IsClosed)
        {
            throw Refused(provider, "it returned a closed handle");
        }

        var status = FileStatus.Of(result.Handle, "the sealed object");
        if (status.Size != source.Size)
        {
            throw Refused(provider, $"the sealed object has {status.Size} bytes, the source {source.Size}");
        }

        var seals = Seals.OfMemfd(result.Handle);
        var readOnlyMount = Descriptors.IsOnReadOnlyMount(result.Handle, "the sealed object");
        var failure = claimed == SealingGuarantee.IndependentDataCopy
            ? CheckIndependentCopy(result, source, status, seals)
            : CheckReadOnlyView(result, readOnlyMount);
        if (failure is not null)
        {
            throw Refused(provider, failure);
        }

        string? sha256 = null;
        if (options.VerifyContent)
        {
            using var readable = Files.Reopen(result.Handle, OpenFlags.ReadOnly | OpenFlags.CloseOnExec);
            sha256 = ContentDigest.Sha256(readable, source.Size);
            var expected = sourceSha256 ??= ContentDigest.Sha256(source.Handle, source.Size);
            if (sha256 != expected)
            {
                throw Refused(provider, $"the sealed bytes have SHA-256 {sha256}, the source {expected}");
            }
        }

        return new VerifiedProperties(seals, readOnlyMount, sha256);
    }

    private static string? CheckIndependentCopy(SealedExecutable result, SourceExecutable source, FileStatus status, FileSeals? seals)
    {
        if (status.IsSameInodeAs(source.Status))
        {
            return "independent-data-copy: the sealed object is the source file itself, not a copy";
        }

        if (seals is { } present && (present & FileSeals.RuntimeCloned) == FileSeals.RuntimeCloned)
        {
            return null;
        }

        if (status.LinkCount == 0 && !Descriptors.CanWrite(result.Handle, "the sealed object"))
        {
            return null;
        }

        return seals is { } some
            ? $"independent-data-copy: the memfd carries seals 0x{(int)some:x}, not at least SEAL|SHRINK|GROW|WRITE (0xf)"
            : status.LinkCount != 0
                ? $"independent-data-copy: the copy still has {status.LinkCount} link(s) in a directory, where anyone allowed could open it for writing"
                : "independent-data-copy: the copy is held through a writable descriptor, not O_PATH or read-only";
    }

    private static string? CheckReadOnlyView(SealedExecutable result, bool readOnlyMount)
    {
        if (!readOnlyMount)
        {
            return "ro-shared-page: the sealed object is not on a read-only mount";
        }

        var errno = Files.TryReopen(result.Handle, OpenFlags.WriteOnly | OpenFlags.CloseOnExec, out var writable);
        writable?.Dispose();
        return errno switch
        {
            Errno.EROFS => null,
            // The kernel refuses writers to a file being executed (ETXTBSY) before it asks the mount for write
            // access; a read-only bind shares the running program's inode. fstatvfs's ST_RDONLY, checked above,
            // is the same mount flag that write access would then have been refused for.
            Errno.ETXTBSY => null,
            0 => "ro-shared-page: re-opening the sealed object for writing succeeded",
            _ => $"ro-shared-page: re-opening the sealed object for writing failed with {Errno.NameOf(errno)}, not EROFS",
        };
    }

    private static SealingException Refused(ProviderRegistration provider, string check) =>
        new($"verification refused the result of provider {provider.Name} ({provider.Plugin}): {check}");
}
