using BenchmarkDotNet.Attributes;
using Microsoft.Win32.SafeHandles;
using Pluggable.Abstractions;
using Pluggable.Linux;
using Pluggable.Providers.Experimental;
using Pluggable.Providers.Overlayfs;
using Pluggable.Runtime.Sealing;

namespace Pluggable.Benchmarks;

/// <summary>
/// The mount providers against the bare mount calls: fsopen, fsconfig, fsmount and openat for overlayfs;
/// open_tree, mount_setattr and an O_PATH reopen for ro-bind. Goal: ≤ 1.5× the baseline, at every size (a
/// view costs the same whatever the file's size). Needs CAP_SYS_ADMIN.
/// </summary>
[InvocationCount(Count)]
public class MountBenchmarks : SealBenchmarks
{
    // A seal takes tens of microseconds: 512 detached mounts make an iteration long enough to time.
    private const int Count = 512;
    private const MountAttributes ReadOnlyView = MountAttributes.ReadOnly | MountAttributes.NoDevices | MountAttributes.NoSetId;

    private readonly OverlayfsProvider overlayfs = new();
    private readonly ReadOnlyBindProvider readOnlyBind = new();
    private readonly SealChain overlayfsChain = new("", ["overlayfs"], SealChainOrigin.ProviderOverride);
    private readonly SealChain readOnlyBindChain = new("", ["ro-bind"], SealChainOrigin.ProviderOverride);
    private SealingRuntime? overlayfsRuntime;
    private SealingRuntime? readOnlyBindRuntime;
    private string lowerDirectories = "";
    private string name = "";

    protected override int Invocations => Count;

    public override void Setup()
    {
        base.Setup();
        overlayfsRuntime = RuntimeFor(overlayfs, "overlayfs", SealingGuarantee.RoSharedPage);
        readOnlyBindRuntime = RuntimeFor(readOnlyBind, "ro-bind", SealingGuarantee.RoSharedPage);
        lowerDirectories = Source.Directory + ":" + Source.StateDirectory;
        name = Path.GetFileName(Source.Path);
    }

    [Benchmark(Baseline = true, Description = "raw fsopen…fsmount+openat")]
    [BenchmarkCategory("overlayfs-seal")]
    public void RawOverlaySeal() => Pending.Add(RawOverlay());

    [Benchmark(Description = "overlayfs")]
    [BenchmarkCategory("overlayfs-seal")]
    public void OverlayfsSeal() => Pending.Add(overlayfs.Seal(Request, CancellationToken.None));

    [Benchmark(Description = "overlayfs via runtime (probe+verify)")]
    [BenchmarkCategory("overlayfs-seal")]
    public void OverlayfsRuntimeSeal() => Pending.Add(SealThrough(overlayfsRuntime!, overlayfsChain));

    [Benchmark(Baseline = true, Description = "raw open_tree+mount_setattr+reopen")]
    [BenchmarkCategory("ro-bind-seal")]
    public void RawBindSeal() => Pending.Add(RawBind());

    [Benchmark(Description = "ro-bind")]
    [BenchmarkCategory("ro-bind-seal")]
    public void ReadOnlyBindSeal() => Pending.Add(readOnlyBind.Seal(Request, CancellationToken.None));

    [Benchmark(Description = "ro-bind via runtime (probe+verify)")]
    [BenchmarkCategory("ro-bind-seal")]
    public void ReadOnlyBindRuntimeSeal() => Pending.Add(SealThrough(readOnlyBindRuntime!, readOnlyBindChain));

    [IterationSetup(Target = nameof(RawOverlayClose))]
    public void SealRawOverlayAhead() => SealAhead(RawOverlay);

    [IterationSetup(Target = nameof(OverlayfsClose))]
    public void SealOverlayfsAhead() => SealAhead(() => overlayfs.Seal(Request, CancellationToken.None));

    [IterationSetup(Target = nameof(RawBindClose))]
    public void SealRawBindAhead() => SealAhead(RawBind);

    [IterationSetup(Target = nameof(ReadOnlyBindClose))]
    public void SealReadOnlyBindAhead() => SealAhead(() => readOnlyBind.Seal(Request, CancellationToken.None));

    [Benchmark(Baseline = true, Description = "raw fsopen…fsmount+openat")]
    [BenchmarkCategory("overlayfs-close")]
    public void RawOverlayClose() => Pending.CloseNext();

    [Benchmark(Description = "overlayfs")]
    [BenchmarkCategory("overlayfs-close")]
    public void OverlayfsClose() => Pending.CloseNext();

    [Benchmark(Baseline = true, Description = "raw open_tree+mount_setattr+reopen")]
    [BenchmarkCategory("ro-bind-close")]
    public void RawBindClose() => Pending.CloseNext();

    [Benchmark(Description = "ro-bind")]
    [BenchmarkCategory("ro-bind-close")]
    public void ReadOnlyBindClose() => Pending.CloseNext();

    private SafeFileHandle RawOverlay()
    {
        using var context = MountApi.OpenFilesystem("overlay");
        MountApi.SetString(context, "lowerdir", lowerDirectories);
        MountApi.SetString(context, "xino", "off");
        MountApi.Create(context, "raw");
        using var mount = MountApi.Mount(context, ReadOnlyView, "raw");
        return Files.OpenAt(mount, name, OpenFlags.Path | OpenFlags.NoFollow | OpenFlags.CloseOnExec);
    }

    private SafeFileHandle RawBind()
    {
        using var tree = MountApi.CloneTree(Source.Handle, "raw");
        MountApi.SetAttributes(tree, ReadOnlyView, MountAttributes.None, "raw");
        return Files.Reopen(tree, OpenFlags.Path | OpenFlags.CloseOnExec);
    }
}
