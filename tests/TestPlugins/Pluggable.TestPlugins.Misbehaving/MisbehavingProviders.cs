using Pluggable.Abstractions;
using Pluggable.Linux;

namespace Pluggable.TestPlugins.Misbehaving;

[ExportSealingProvider("throws-in-constructor", Guarantee = SealingGuarantee.IndependentDataCopy)]
public sealed class ThrowsInConstructor : ISealingProvider
{
    public ThrowsInConstructor() => throw new InvalidOperationException("constructor failed on purpose");

    public ProviderProbe Probe() => ProviderProbe.Ready;

    public SealedExecutable Seal(SealRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();
}

[ExportSealingProvider("always-fails", Guarantee = SealingGuarantee.IndependentDataCopy)]
public sealed class AlwaysFails : ISealingProvider
{
    public ProviderProbe Probe() => ProviderProbe.Ready;

    public SealedExecutable Seal(SealRequest request, CancellationToken cancellationToken) =>
        throw new SealingException("always-fails failed on purpose");
}

[ExportSealingProvider("throws-in-seal", Guarantee = SealingGuarantee.IndependentDataCopy)]
public sealed class ThrowsInSeal : ISealingProvider
{
    public ProviderProbe Probe() => ProviderProbe.Ready;

    public SealedExecutable Seal(SealRequest request, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("an unexpected exception");
}

[ExportSealingProvider("returns-source", Guarantee = SealingGuarantee.IndependentDataCopy)]
public sealed class ReturnsSource : ISealingProvider
{
    public ProviderProbe Probe() => ProviderProbe.Ready;

    public SealedExecutable Seal(SealRequest request, CancellationToken cancellationToken) =>
        new(Files.Reopen(request.Source, OpenFlags.Path | OpenFlags.CloseOnExec), "returns-source", SealingGuarantee.IndependentDataCopy);
}

[ExportSealingProvider("returns-unsealed-memfd", Guarantee = SealingGuarantee.IndependentDataCopy)]
public sealed class ReturnsUnsealedMemfd : ISealingProvider
{
    public ProviderProbe Probe() => ProviderProbe.Ready;

    public SealedExecutable Seal(SealRequest request, CancellationToken cancellationToken)
    {
        var memfd = MemoryFile.Create("unsealed", MemoryFile.CloseOnExec | MemoryFile.AllowSealing);
        FileCopy.Copy(request.Source, memfd, request.SourceSize, request.SourcePath);
        return new SealedExecutable(memfd, "returns-unsealed-memfd", SealingGuarantee.IndependentDataCopy);
    }
}

[ExportSealingProvider("returns-null", Guarantee = SealingGuarantee.IndependentDataCopy)]
public sealed class ReturnsNull : ISealingProvider
{
    public ProviderProbe Probe() => ProviderProbe.Ready;

    public SealedExecutable Seal(SealRequest request, CancellationToken cancellationToken) => null!;
}

[ExportSealingProvider("unavailable", Guarantee = SealingGuarantee.IndependentDataCopy)]
public sealed class Unavailable : ISealingProvider
{
    public ProviderProbe Probe() => ProviderProbe.Unavailable("this provider is never available");

    public SealedExecutable Seal(SealRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();
}

/// <summary>Takes a name the built-in memfd plugin already has: the first one discovered wins.</summary>
[ExportSealingProvider("memfd", Guarantee = SealingGuarantee.IndependentDataCopy)]
public sealed class DuplicateMemfd : ISealingProvider
{
    public ProviderProbe Probe() => ProviderProbe.Ready;

    public SealedExecutable Seal(SealRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();
}

/// <summary>An unlinked copy, but still held through the descriptor it was written with.</summary>
[ExportSealingProvider("returns-writable-tmpfile", Guarantee = SealingGuarantee.IndependentDataCopy)]
public sealed class ReturnsWritableTmpfile : ISealingProvider
{
    public ProviderProbe Probe() => ProviderProbe.Ready;

    public SealedExecutable Seal(SealRequest request, CancellationToken cancellationToken)
    {
        // On tmpfs, where the tmpfile provider prefers to be: the kernel reports F_SEAL_SEAL for such a file.
        var file = TemporaryFiles.CreateUnlinked("/dev/shm", 0x1C0);
        FileCopy.Copy(request.Source, file, request.SourceSize, request.SourcePath);
        return new SealedExecutable(file, "returns-writable-tmpfile", SealingGuarantee.IndependentDataCopy);
    }
}

/// <summary>Claims a read-only view but hands out the source on its own, writable, mount.</summary>
[ExportSealingProvider("returns-source-as-view", Guarantee = SealingGuarantee.RoSharedPage)]
public sealed class ReturnsSourceAsView : ISealingProvider
{
    public ProviderProbe Probe() => ProviderProbe.Ready;

    public SealedExecutable Seal(SealRequest request, CancellationToken cancellationToken) =>
        new(Files.Reopen(request.Source, OpenFlags.Path | OpenFlags.CloseOnExec), "returns-source-as-view", SealingGuarantee.RoSharedPage);
}

[ExportSealingProvider("experimental-fails", Guarantee = SealingGuarantee.IndependentDataCopy, Experimental = true)]
public sealed class ExperimentalFails : ISealingProvider
{
    public ProviderProbe Probe() => ProviderProbe.Ready;

    public SealedExecutable Seal(SealRequest request, CancellationToken cancellationToken) =>
        throw new SealingException("experimental-fails failed on purpose");
}

[ExportSealingProvider("throws-in-probe", Guarantee = SealingGuarantee.IndependentDataCopy)]
public sealed class ThrowsInProbe : ISealingProvider
{
    public ProviderProbe Probe() => throw new InvalidOperationException("probe failed on purpose");

    public SealedExecutable Seal(SealRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();
}

/// <summary>Never returns in time and ignores cancellation, as a provider stuck in a system call would.</summary>
[ExportSealingProvider("hangs-in-seal", Guarantee = SealingGuarantee.IndependentDataCopy)]
public sealed class HangsInSeal : ISealingProvider
{
    public ProviderProbe Probe() => ProviderProbe.Ready;

    public SealedExecutable Seal(SealRequest request, CancellationToken cancellationToken)
    {
        Thread.Sleep(TimeSpan.FromMinutes(10));
        throw new TimeoutException("hangs-in-seal woke up");
    }
}

/// <summary>
/// Waits until it is cancelled, then returns a memfd of its own named "late-result", after leaving a file
/// "returned" in the state directory: what a provider abandoned by its caller hands back too late.
/// </summary>
[ExportSealingProvider("returns-after-cancel", Guarantee = SealingGuarantee.IndependentDataCopy)]
public sealed class ReturnsAfterCancel : ISealingProvider
{
    // Every result stays reachable, so that only a Dispose closes it, never a finalizer.
    private static readonly List<SealedExecutable> Returned = [];

    public ProviderProbe Probe() => ProviderProbe.Ready;

    public SealedExecutable Seal(SealRequest request, CancellationToken cancellationToken)
    {
        cancellationToken.WaitHandle.WaitOne(TimeSpan.FromMinutes(10));
        var memfd = MemoryFile.Create("late-result", MemoryFile.CloseOnExec | MemoryFile.AllowSealing);
        try
        {
            File.WriteAllText(Path.Combine(request.StateDirectory, "returned"), "");
        }
        catch
        {
            memfd.Dispose();
            throw;
        }

        var result = new SealedExecutable(memfd, "returns-after-cancel", SealingGuarantee.IndependentDataCopy);
        lock (Returned)
        {
            Returned.Add(result);
        }

        return result;
    }
}
