using System.Runtime.InteropServices;

namespace Pluggable.Linux;

/// <summary>The capabilities of this process, as capget(2) reports them.</summary>
public static partial class Capabilities
{
    /// <summary>CAP_SYS_ADMIN: among much else, making mounts.</summary>
    public const int SystemAdministration = 21;

    // _LINUX_CAPABILITY_VERSION_3: 64-bit sets, delivered as two 32-bit halves.
    private const uint Version3 = 0x20080522;

    /// <summary>
    /// Whether <paramref name="capability"/> is in this process's effective set (CapEff). Changing the user ID
    /// away from 0 empties that set, so an unprivileged user (or root after setpriv --reuid) has none.
    /// Asked of the kernel directly rather than parsed from /proc/self/status: providers probe on every seal.
    /// </summary>
    public static unsafe bool HasEffective(int capability)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capability);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capability, 63);
        var header = new CapabilityHeader { Version = Version3, Pid = 0 };
        var data = stackalloc CapabilityData[2];
        if (capget(&header, data) != 0)
        {
            throw SystemCallFailure.FromLastError("cannot read the capabilities of this process");
        }

        return (data[capability / 32].Effective & (1u << (capability % 32))) != 0;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct CapabilityHeader
    {
        public uint Version;
        public int Pid;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct CapabilityData
    {
        public uint Effective;
        public uint Permitted;
        public uint Inheritable;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int capget(CapabilityHeader* header, CapabilityData* data);
}
