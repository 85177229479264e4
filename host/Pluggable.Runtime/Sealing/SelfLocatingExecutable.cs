using System.Buffers;
using System.Text;

namespace Pluggable.Runtime.Sealing;

/// <summary>
/// Recognises programs that find their own files through /proc/self/exe, which cannot run from a sealed object:
/// the link then names a memfd or a detached mount, not their installation directory.
/// </summary>
public static class SelfLocatingExecutable
{
    // A .NET apphost (framework-dependent, self-contained or single-file) loads libhostfxr.so from beside the path
    // /proc/self/exe resolves to, and exits 133 ("Failed to resolve full path of the current executable") when
    // that path is a memfd. The apphost code sits at the front of the file, even in a single-file bundle, and is
    // under 100 KiB (.NET 10's is 78 KB, with the name at 12 KB); Native AOT programs do not contain the name at
    // all. The check runs before every container start, so it reads only the head, into a pooled buffer.
    private static readonly byte[] DotnetApphostMarker = Encoding.ASCII.GetBytes("libhostfxr.so");
    private const int ScannedBytes = 512 << 10;

    /// <summary>Throws <see cref="BadInputException"/> when <paramref name="source"/> cannot run from a sealed object.</summary>
    public static void EnsureCanRunSealed(SourceExecutable source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var head = ArrayPool<byte>.Shared.Rent((int)Math.Min(source.Size, ScannedBytes));
        bool isApphost;
        try
        {
            var read = RandomAccess.Read(source.Handle, head.AsSpan(0, (int)Math.Min(source.Size, ScannedBytes)), 0);
            isApphost = head.AsSpan(0, read).IndexOf(DotnetApphostMarker) >= 0;
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
