using System.Runtime.InteropServices;

namespace Pluggable.Linux;

/// <summary>
/// open(2) flags. Most are the same on every Linux architecture, but arm64 moved O_DIRECTORY and O_NOFOLLOW
/// (and so O_TMPFILE, which contains O_DIRECTORY), so those are chosen at run time.
/// </summary>
public static class OpenFlags
{
#pragma warning disable CS1591 // The names are the documentation: open(2).
    public const int ReadOnly = 0;
    public const int WriteOnly = 1;
    public const int ReadWrite = 2;
    public const int Create = 0x40;
    public const int Exclusive = 0x80;
    public const int NoControllingTerminal = 0x100;
    public const int Truncate = 0x200;
    public const int Append = 0x400;
    public const int NonBlocking = 0x800;
    public const int CloseOnExec = 0x80000;
    public const int Path = 0x200000;

    private static readonly bool IsArm = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm;

    public static int Directory { get; } = IsArm ? 0x4000 : 0x10000;
    public static int NoFollow { get; } = IsArm ? 0x8000 : 0x20000;
    public static int TemporaryFile { get; } = 0x400000 | Directory;
#pragma warning restore CS1591
}
