namespace Pluggable.Tests.Support;

/// <summary>A directory for one test, removed with everything in it.</summary>
public sealed class TemporaryDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("exeseal-test-").FullName;

    public string File(string name, byte[] content, UnixFileMode mode)
    {
        var path = System.IO.Path.Combine(Path, name);
        System.IO.File.WriteAllBytes(path, content);
        System.IO.File.SetUnixFileMode(path, mode);
        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
