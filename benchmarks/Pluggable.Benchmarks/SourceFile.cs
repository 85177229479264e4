using Microsoft.Win32.SafeHandles;
using Pluggable.Linux;

namespace Pluggable.Benchmarks;

/// <summary>
/// A test executable of a chosen size: a real ELF (this process's own launcher) padded with random bytes, so the
/// kernel copies real pages rather than holes, in a directory of its own on the temporary directory's disk,
/// where a binary lives. A state directory on tmpfs sits beside it, as /run/exeseal is on most hosts.
/// </summary>
public sealed class SourceFile : IDisposable
{
    private const int ExecutableMode = 0x1ED; // 0755

    private SourceFile(string directory, string stateDirectory, string path, SafeFileHandle handle, long size)
    {
        Directory = directory;
        StateDirectory = stateDirectory;
        Path = path;
        Handle = handle;
        Size = size;
    }

    public string Directory { get; }

    public string StateDirectory { get; }

    public string Path { get; }

    public SafeFileHandle Handle { get; }

    public long Size { get; }

    public static SourceFile Create(int mebibytes)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("exeseal-bench-").FullName;
        var path = System.IO.Path.Combine(directory, $"exe-{mebibytes}MiB");
        var size = (long)mebibytes << 20;
        var elf = File.ReadAllBytes(Environment.ProcessPath ?? throw new InvalidOperationException("no process path"));
        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
        {
            stream.Write(elf, 0, (int)Math.Min(elf.Length, size));
            var padding = new byte[1 << 20];
            var random = new Random(7956);
            for (var written = (long)elf.Length; written < size; written += padding.Length)
            {
                random.NextBytes(padding);
                stream.Write(padding, 0, (int)Math.Min(padding.Length, size - written));
            }

            stream.Flush(flushToDisk: true);
        }

        File.SetUnixFileMode(path, (UnixFileMode)ExecutableMode);
        var shared = System.IO.Directory.Exists("/dev/shm") ? "/dev/shm" : System.IO.Path.GetTempPath();
        var state = Files.CreateUniqueDirectory(shared, "exeseal-bench-state-");
        var handle = Files.Open(path, OpenFlags.ReadOnly | OpenFlags.CloseOnExec);

        // Read once so that every provider starts from a warm page cache, as a runtime binary started a
        // moment ago would.
        using (var warm = File.OpenRead(path))
        {
            warm.CopyTo(Stream.Null);
        }

        return new SourceFile(directory, state, path, handle, size);
    }

    public void Dispose()
    {
        Handle.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
        System.IO.Directory.Delete(StateDirectory, recursive: true);
    }
}
