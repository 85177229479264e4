using System.Globalization;

namespace Pluggable.Tests.Support;

/// <summary>What this test process holds open, as the kernel lists it under /proc/self/fd and /proc/self/fdinfo.</summary>
public static class OwnDescriptors
{
    private const int AccessModeMask = 3;
    private const int PathOnly = 0x200000;

    /// <summary>Every open descriptor as "N → target", sorted.</summary>
    public static IReadOnlyList<string> Snapshot() =>
        Directory.EnumerateFileSystemEntries("/proc/self/fd")
            .Select(entry => $"{Path.GetFileName(entry)} → {TryTarget(entry)}")
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>The descriptors whose target is <paramref name="target"/>, with the open(2) flags the kernel shows for each.</summary>
    public static IReadOnlyList<(int Fd, int Flags)> On(string target) =>
        Directory.EnumerateFileSystemEntries("/proc/self/fd")
            .Where(entry => TryTarget(entry) == target)
            .Select(entry => int.Parse(Path.GetFileName(entry), CultureInfo.InvariantCulture))
            .Select(fd => (fd, FlagsOf(fd)))
            .Where(pair => pair.Item2 >= 0)
            .ToList();

    /// <summary>Whether <paramref name="flags"/> allow writing: neither O_PATH nor O_RDONLY.</summary>
    public static bool CanWrite(int flags) => (flags & PathOnly) == 0 && (flags & AccessModeMask) != 0;

    private static int FlagsOf(int fd)
    {
        try
        {
            var line = File.ReadLines($"/proc/self/fdinfo/{fd}").First(l => l.StartsWith("flags:", StringComparison.Ordinal));
            return Convert.ToInt32(line["flags:".Length..].Trim(), 8);
        }
        catch (IOException)
        {
            return -1; // Closed between listing and reading: it holds nothing any more.
        }
    }

    private static string? TryTarget(string entry)
    {
        try
        {
            return new FileInfo(entry).LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
