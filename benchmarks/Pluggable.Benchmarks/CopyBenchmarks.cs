using BenchmarkDotNet.Attributes;
using Microsoft.Win32.SafeHandles;
using Pluggable.Abstractions;
using Pluggable.Linux;
using Pluggable.Providers.Memfd;
using Pluggable.Providers.Tmpfile;
using Pluggable.Runtime.Sealing;

namespace Pluggable.Benchmarks;

/// <summary>
/// The copy providers (memfd, tmpfile) against the bare copy they are made of: memfd_create, a sendfile loop
/// and F_ADD_SEALS, with nothing else. Goal: ≤ 1.15× the baseline.
/// </summary>
[InvocationCount(Count)]
public class CopyBenchmarks : SealBenchmarks
{
    // 16 copies of 128 MiB are 2 GiB of shmem in flight: enough invocations to time a 1 MiB copy, few enough
    // to leave memory for everyone else on the machine.
    private const int Count = 16;
    private const uint MemfdFlags = MemoryFile.CloseOnExec | MemoryFile.AllowSealing | MemoryFile.Executable;

    private readonly MemfdProvider memfd = new();
    private readonly TmpfileProvider tmpfile = new();
    private readonly SealChain memfdChain = new("", ["memfd"], SealChainOrigin.ProviderOverride);
    private readonly SealChain tmpfileChain = new("", ["tmpfile"], SealChainOrigin.ProviderOverride);
    private SealingRuntime? memfdRuntime;
    private SealingRuntime? tmpfileRuntime;

    protected override int Invocations => Count;

    public override void Setup()
    {
        base.Setup();
        memfdRuntime = RuntimeFor(memfd, "memfd", SealingGuarantee.IndependentDataCopy);
        tmpfileRuntime = RuntimeFor(tmpfile, "tmpfile", SealingGuarantee.IndependentDataCopy);
    }

    [Benchmark(Baseline = true, Description = "raw sendfile→memfd")]
    [BenchmarkCategory("copy-seal")]
    public void RawSeal() => Pending.Add(RawCopy());

    [Benchmark(Description = "memfd")]
    [BenchmarkCategory("copy-seal")]
    public void MemfdSeal() => Pending.Add(memfd.Seal(Request, CancellationToken.None));

    [Benchmark(Description = "tmpfile")]
    [BenchmarkCategory("copy-seal")]
    public void TmpfileSeal() => Pending.Add(tmpfile.Seal(Request, CancellationToken.None));

    [Benchmark(Description = "memfd via runtime (probe+verify)")]
    [BenchmarkCategory("copy-seal")]
    public void MemfdRuntimeSeal() => Pending.Add(SealThrough(memfdRuntime!, memfdChain));

    [Benchmark(Description = "tmpfile via runtime (probe+verify)")]
    [BenchmarkCategory("copy-seal")]
    public void TmpfileRuntimeSeal() => Pending.Add(SealThrough(tmpfileRuntime!, tmpfileChain));

    [IterationSetup(Target = nameof(RawClose))]
    public void SealRawAhead() => SealAhead(RawCopy);

    [IterationSetup(Target = nameof(MemfdClose))]
    public void SealMemfdAhead() => SealAhead(() => memfd.Seal(Request, CancellationToken.None));

    [IterationSetup(Target = nameof(TmpfileClose))]
    public void SealTmpfileAhead() => SealAhead(() => tmpfile.Seal(Request, CancellationToken.None));

    [Benchmark(Baseline = true, Description = "raw sendfile→memfd")]
    [BenchmarkCategory("copy-close")]
    public void RawClose() => Pending.CloseNext();

    [Benchmark(Description = "memfd")]
    [BenchmarkCategory("copy-close")]
    public void MemfdClose() => Pending.CloseNext();

    [Benchmark(Description = "tmpfile")]
    [BenchmarkCategory("copy-close")]
    public void TmpfileClose() => Pending.CloseNext();

    private SafeFileHandle RawCopy()
    {
        var copy = MemoryFile.Create("raw", MemfdFlags);
        long offset = 0;
        while (offset < Source.Size)
        {
            if (FileCopy.Send(Source.Handle, copy, ref offset, Source.Size - offset, "raw") == 0)
            {
                throw new InvalidOperationException("the source shrank");
            }
        }

        Seals.Add(copy, FileSeals.RuntimeCloned, "raw");
        return copy;
    }
}
