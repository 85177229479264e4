using System.Buffers;
using System.Text;

namespace Pluggable.Runtime.Sealing;

/// <summary>
/// Recognises programs that find their own files through /proc/self/exe, which cannot run from a sealed object:
/// the link then names a memfd or a detached mount, not their installation directory.
/// </summary>
public static class SelfLocatingExecutable
{
    // A .NET apphost (framework-dependent, self-contained or single-file) loads its runtime from beside the path
    // /proc/self/exe resolves to, or reads its bundle through it, and exits 133 ("Failed to resolve full path of
    // the current executable") when that path is a memfd or a detached mount. Each kind names itself near the
    // front of the file: the plain apphost (78 KB in .NET 10) holds "libhostfxr.so" at 12 KB; the single-file
    // host (12 MB, with the runtime linked in) exports DotNetRuntimeInfo, whose name is in its dynamic string
    // table at 14 KB, while its own "libhostfxr.so" is at 773 KB. Native AOT programs hold neither. The check runs
    // before every container start, so it reads only the head, into a pooled buffer.
    private static readonly byte[] ApphostMarker = Encoding.ASCII.GetBytes("libhostfxr.so");
    private static readonly byte[] SingleFileHostMarker = Encoding.ASCII.GetBytes("DotNetRuntimeInfo");
    private const int ScannedBytes = 128 << 10;

    /// <summary>Throws <see cref="BadInputException"/> when <paramref name="source"/> cannot run from a sealed object.</summary>
    public static void EnsureCanRunSealed(SourceExecutable source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var head = ArrayPool<byte>.Shared.Rent((int)Math.Min(source.Size, ScannedBytes));
        bool isApphost;
        try
        {
            var read = RandomAccess.Read(source.Handle, head.AsSpan(0, (int)Math.Min(source.Size, ScannedBytes)), 0);
            var scanned = head.AsSpan(0, read);
            isApphost = scanned.IndexOf(ApphostMarker) >= 0 || scanned.IndexOf(SingleFileHostMarker) >= 0;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(head);
        }

        if (isApphost)
        {
            throw new BadInputException(
                $"{source.Path} is a .NET apphost, which finds its files through /proc/self/exe and cannot run from a sealed object; publish it with Native AOT, or run it as: exeseal exec -- dotnet app.dll");
        }
    }
}
