using System.Globalization;

namespace Pluggable.Linux;

/// <summary>The capabilities of this process, as the kernel reports them in /proc/self/status.</summary>
public static class Capabilities
{
    /// <summary>CAP_SYS_ADMIN: among much else, making mounts.</summary>
    public const int SystemAdministration = 21;

    /// <summary>
    /// Whether <paramref name="capability"/> is in this process's effective set (CapEff). Changing the user ID
    /// away from 0 empties that set, so an unprivileged user (or root after setpriv --reuid) has none.
    /// </summary>
    public static bool HasEffective(int capability)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("CapEff:", StringComparison.Ordinal)
                && ulong.TryParse(line.AsSpan("CapEff:".Length).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var effective))
            {
                return (effective & (1UL << capability)) != 0;
            }
        }

        return false;
    }
}
