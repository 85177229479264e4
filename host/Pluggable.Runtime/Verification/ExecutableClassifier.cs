using Microsoft.Win32.SafeHandles;
using Pluggable.Abstractions;
using Pluggable.Linux;

namespace Pluggable.Runtime.Verification;

/// <summary>What a process runs from, as far as tampering with its executable goes.</summary>
public enum ExecutableKind
{
    /// <summary>A memfd carrying at least SEAL|SHRINK|GROW|WRITE: no one can change it.</summary>
    SealedMemfd,

    /// <summary>A file on a read-only mount: no write path exists through this mount.</summary>
    ReadOnlyMount,

    /// <summary>A private copy with no name left in any directory: writing it cannot reach the original.</summary>
    UnlinkedCopy,

    /// <summary>A file someone who reaches /proc/PID/exe could overwrite (CVE-2019-5736), or an unsealed memfd.</summary>
    Unprotected,
}

/// <summary>The verdict on one executable.</summary>
/// <param name="Exe">What /proc/PID/exe points to, or the file's path.</param>
/// <param name="Kind">What it runs from.</param>
/// <param name="Seals">The memfd's seals, or null when it is not a memfd.</param>
public sealed record Classification(string Exe, ExecutableKind Kind, FileSeals? Seals)
{
    /// <summary>Whether the executable is protected against being overwritten through the process.</summary>
    public bool Protected => Kind != ExecutableKind.Unprotected;

    /// <summary>The kind as the CLI spells it: sealed-memfd, read-only-mount, unlinked-copy, unprotected.</summary>
    public string KindName => Kind switch
    {
        ExecutableKind.SealedMemfd => "sealed-memfd",
        ExecutableKind.ReadOnlyMount => "read-only-mount",
        ExecutableKind.UnlinkedCopy => "unlinked-copy",
        _ => "unprotected",
    };
}

/// <summary>Classifies the executable of a process, or a file, by what the kernel says about it.</summary>
public static class ExecutableClassifier
{
    /// <summary>Classifies what process <paramref name="pid"/> runs from.</summary>
    public static Classification OfProcess(int pid)
    {
        var link = $"/proc/{pid}/exe";
        if (!Directory.Exists($"/proc/{pid}"))
        {
            throw new BadInputException($"no process with pid {pid}");
        }

        string target;
        try
        {
            target = new FileInfo(link).LinkTarget ?? link;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new BadInputException($"cannot read {link}: {error.Message} (a kernel thread has no executable; another user's process needs root)");
        }

        return Classify(link, target);
    }

    /// <summary>Classifies the file <paramref name="path"/>.</summary>
    public static Classification OfFile(string path) => Classify(path, path);

    private static Classification Classify(string path, string shownAs)
    {
        SafeFileHandle handle;
        try
        {
            handle = Files.Open(path, OpenFlags.ReadOnly | OpenFlags.NonBlocking | OpenFlags.CloseOnExec);
        }
        catch (SealingException error)
        {
            throw new BadInputException(error.Errno == Errno.ENOENT ? $"{path}: no such file" : error.Message);
        }

        using (handle)
        {
            var seals = Seals.OfMemfd(handle);
            var kind = seals switch
            {
                { } present when (present & FileSeals.RuntimeCloned) == FileSeals.RuntimeCloned => ExecutableKind.SealedMemfd,
                _ when Descriptors.IsOnReadOnlyMount(handle, path) => ExecutableKind.ReadOnlyMount,
                null when FileStatus.Of(handle, path).LinkCount == 0 => ExecutableKind.UnlinkedCopy,
                _ => ExecutableKind.Unprotected,
            };
            return new Classification(shownAs, kind, seals);
        }
    }
}
