using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using Pluggable.Abstractions;
using Pluggable.Linux;

namespace Pluggable.Providers.Memfd;

/// <summary>Copies the executable into a memfd and seals it against every change.</summary>
[ExportSealingProvider(
    "memfd",
    Guarantee = SealingGuarantee.IndependentDataCopy,
    Description = "copy into a memfd sealed SEAL|SHRINK|GROW|WRITE; costs the binary's size in shmem per use",
    Settings = [SealExecSetting])]
public sealed class MemfdProvider : ISealingProvider
{
    private const string NoExecSysctl = "/proc/sys/vm/memfd_noexec";
    private const int ExecuteOnly = 0x149; // 0511: r-x--x--x, as runc leaves its clone.
    private const string SealExecSetting = "sealExec";

    /// <inheritdoc/>
    public ProviderProbe Probe() =>
        MemfdNoExecLevel() >= 2
            ? ProviderProbe.Unavailable("vm.memfd_noexec=2 forbids executable memfds on this host")
            : ProviderProbe.Ready;

    /// <inheritdoc/>
    public SealedExecutable Seal(SealRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var memfd = CreateExecutableMemfd(Path.GetFileName(request.SourcePath));
        try
        {
            FileCopy.Copy(request.Source, memfd, request.SourceSize, request.SourcePath);
            cancellationToken.ThrowIfCancellationRequested();
            Files.ChangeMode(memfd, ExecuteOnly, "the memfd copy");
            // Exactly the four seals by default: crun and runc before 1.2 recognise a cloned binary only by this value.
            Seals.Add(memfd, SealsFor(request), "the memfd copy");
            // Guarded: the call would box the size and allocate its argument array on every seal, logged or not.
            if (request.Logger.IsEnabled(LogLevel.Debug))
            {
                request.Logger.LogDebug("memfd: sealed a {Size}-byte copy of {Source}", request.SourceSize, request.SourcePath);
            }

            return new SealedExecutable(memfd, "memfd", SealingGuarantee.IndependentDataCopy);
        }
        catch
        {
            memfd.Dispose();
            throw;
        }
    }

    // providers.memfd.sealExec adds F_SEAL_EXEC, so that not even the execute bits can change; an operator turns
    // it on once every runtime on the node accepts seals other than exactly 0xf.
    private static FileSeals SealsFor(SealRequest request)
    {
        var value = request.Settings[SealExecSetting];
        if (value is null)
        {
            return FileSeals.RuntimeCloned;
        }

        return bool.TryParse(value, out var sealExec)
            ? sealExec ? FileSeals.RuntimeCloned | FileSeals.Exec : FileSeals.RuntimeCloned
            : throw new SealingException($"providers.memfd.{SealExecSetting} must be true or false, not \"{value}\"");
    }

    private static SafeFileHandle CreateExecutableMemfd(string name)
    {
        const uint flags = MemoryFile.CloseOnExec | MemoryFile.AllowSealing;
        try
        {
            return MemoryFile.Create("exeseal:" + name, flags | MemoryFile.Executable, NoExecHint);
        }
        catch (SealingException error) when (error.Errno == Errno.EINVAL)
        {
            // MFD_EXEC exists from Linux 6.3; older kernels refuse the unknown flag, and make memfds executable anyway.
            return MemoryFile.Create("exeseal:" + name, flags, NoExecHint);
        }
    }

    private static string? NoExecHint(int errno) => errno == Errno.EACCES
        ? "vm.memfd_noexec=2 forbids executable memfds on this host; use the tmpfile provider instead"
        : null;

    // Read on every probe (the sysctl is per pid namespace and can change), into a few bytes on the stack:
    // File.ReadAllText would cost kilobytes of buffers per seal.
    private static int MemfdNoExecLevel()
    {
        try
        {
            using var file = File.OpenHandle(NoExecSysctl);
            Span<byte> text = stackalloc byte[16];
            var read = RandomAccess.Read(file, text, 0);
            return System.Buffers.Text.Utf8Parser.TryParse(text[..read].TrimStart((byte)' '), out int level, out _) ? level : 0;
        }
        catch (IOException)
        {
            return 0; // Kernels before 6.3 have no such sysctl, and no such restriction.
        }
    }
}
