using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using Pluggable.Abstractions;
using Pluggable.Linux;

namespace Pluggable.Providers.Tmpfile;

/// <summary>
/// Copies the executable into a file that never had a name and keeps only an O_PATH handle to it: the fallback
/// where memfds are refused (vm.memfd_noexec=2).
/// </summary>
[ExportSealingProvider(
    "tmpfile",
    Guarantee = SealingGuarantee.IndependentDataCopy,
    Description = "copy into an unlinked O_TMPFILE (or mkostemp+unlink) file, tmpfs preferred, mode 0511, held O_PATH; costs the binary's size per use")]
public sealed class TmpfileProvider : ISealingProvider
{
    private const int OwnerOnly = 0x1C0; // 0700: nobody else may open the copy before it is sealed.
    private const int ExecuteOnly = 0x149; // 0511: r-x--x--x, as runc leaves its clone.

    // After the state directory (private to this seal), tmpfs before the temporary directory: a copy on a
    // disk-backed filesystem leaves the binary's size in dirty pages that the kernel
    // writes back about 30 s later, for a file nobody will ever read again.
    private static readonly string[] SharedCandidates = ["/dev/shm", "/run"];

    /// <inheritdoc/>
    public ProviderProbe Probe() => ProviderProbe.Ready;

    /// <inheritdoc/>
    public SealedExecutable Seal(SealRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (writable, directory) = CreateExecutableCopyTarget(request);
        try
        {
            // O_TMPFILE|O_EXCL files can never gain a name, but with the mkostemp fallback anyone who can write the
            // directory could hard-link the file between its creation and its unlink, and later open that name
            // for writing.
            var links = FileStatus.Of(writable, "the unlinked copy").LinkCount;
            if (links != 0)
            {
                throw new SealingException($"the temporary file in {directory} has {links} link(s); an unlinked copy must have none");
            }

            FileCopy.Copy(request.Source, writable, request.SourceSize, request.SourcePath);
            cancellationToken.ThrowIfCancellationRequested();
            Files.ChangeMode(writable, ExecuteOnly, "the unlinked copy");

            // Only an O_PATH handle may survive: while a writable descriptor exists, execve answers ETXTBSY, and
            // the copy would stay writable by anyone holding it.
            var sealedCopy = Files.Reopen(writable, OpenFlags.Path | OpenFlags.CloseOnExec);
            if (request.Logger.IsEnabled(LogLevel.Debug))
            {
                request.Logger.LogDebug("tmpfile: sealed a {Size}-byte copy of {Source} in {Directory}", request.SourceSize, request.SourcePath, directory);
            }

            return new SealedExecutable(sealedCopy, "tmpfile", SealingGuarantee.IndependentDataCopy);
        }
        finally
        {
            writable.Dispose();
        }
    }

    private static (SafeFileHandle Writable, string Directory) CreateExecutableCopyTarget(SealRequest request)
    {
        var refusals = new List<string>();
        foreach (var directory in Candidates(request.StateDirectory))
        {
            SafeFileHandle file;
            try
            {
                file = TemporaryFiles.CreateUnlinked(directory, OwnerOnly);
            }
            catch (SealingException error)
            {
                refusals.Add(error.Message);
                continue;
            }

            // A noexec mount would let the copy be made and then refuse to run it: ask before copying.
            var errno = Access.CheckExecutable(file);
            if (errno == 0)
            {
                return (file, directory);
            }

            file.Dispose();
            refusals.Add($"{directory}: a file there cannot be executed ({Errno.NameOf(errno)}; a noexec mount?)");
        }

        throw new SealingException($"no directory can hold an executable unlinked copy: {string.Join("; ", refusals)}");
    }

    private static IEnumerable<string> Candidates(string stateDirectory) =>
        new[] { stateDirectory }
            .Concat(SharedCandidates)
            .Append(Path.GetTempPath())
            .Where(directory => directory.Length > 0)
            .Select(directory => Path.TrimEndingDirectorySeparator(directory))
            .Distinct(StringComparer.Ordinal);
}
