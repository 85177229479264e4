using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Pluggable.Abstractions;
using Pluggable.Linux;
using Pluggable.Tests.Support;

namespace Pluggable.Tests;

/// <summary>
/// CVE-2019-5736 against every provider: a program started with <c>exeseal exec</c> from a throwaway copy of a
/// binary is attacked from this (second) process through <c>/proc/PID/exe</c>, the way a hostile container
/// attacked runc. The host copy must never change. The table of what the kernel answered is written to the test
/// output and to <c>artifacts/attack-table.txt</c>, which <c>.ci/run</c> prints.
/// </summary>
public sealed class ExeAttackTests(ITestOutputHelper output)
{
    private static readonly string[] Providers = ["memfd", "tmpfile", "overlayfs", "ro-bind"];

    private static readonly string[] Attacks =
    [
        "open /proc/PID/exe O_WRONLY while it runs, write",
        "open O_PATH, target exits, reopen O_WRONLY|O_TRUNC, write",
        "open O_PATH, target exits, reopen O_RDWR, mmap MAP_SHARED|PROT_WRITE",
        "open O_PATH, target exits, reopen O_RDWR, ftruncate",
        "open O_PATH, mount_setattr clearing RDONLY, reopen O_WRONLY, write",
    ];

    [Fact]
    public void No_attack_through_proc_pid_exe_changes_the_host_binary_and_every_write_into_memfd_overlayfs_or_ro_bind_is_refused()
    {
        Requires.Root();
        var table = new Dictionary<(string Attack, string Provider), string>();
        var failures = new List<string>();
        foreach (var provider in Providers)
        {
            using var directory = new TemporaryDirectory();
            var host = directory.File("sleep", File.ReadAllBytes("/bin/sleep"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var before = Sha256(host);
            var results = Attack(provider, host);
            var after = Sha256(host);
            for (var i = 0; i < Attacks.Length; i++)
            {
                var errno = results[i];
                table[(Attacks[i], provider)] = errno == 0
                    ? (before == after ? "written to the private copy; host unchanged" : "HOST CHANGED")
                    : $"blocked ({Errno.NameOf(errno)}); host unchanged";
                if (errno == 0 && provider != "tmpfile")
                {
                    failures.Add($"{provider}: \"{Attacks[i]}\" went through");
                }
            }

            if (before != after)
            {
                failures.Add($"{provider}: the host binary changed");
            }
        }

        var text = Render(table);
        output.WriteLine(text);
        var artifacts = Path.Combine(Paths.Repository, "artifacts");
        Directory.CreateDirectory(artifacts);
        File.WriteAllText(Path.Combine(artifacts, "attack-table.txt"), text);
        Assert.True(failures.Count == 0, string.Join('\n', failures) + "\n" + text);
    }

    // The errno of each attack's first refused step, in the order of Attacks; 0 when the write went through.
    private static int[] Attack(string provider, string host)
    {
        using var target = Start(provider, host);
        var exe = $"/proc/{target.Id}/exe";
        var results = new int[Attacks.Length];
        results[0] = OpenAndWrite(exe, OpenFlags.WriteOnly);
        using var pinned = Files.Open(exe, OpenFlags.Path | OpenFlags.CloseOnExec);
        using var pinnedForMount = Files.Open(exe, OpenFlags.Path | OpenFlags.CloseOnExec);
        target.Kill();
        target.WaitForExit();

        // After the exit nothing executes the object any more, so ETXTBSY no longer stands in the way.
        results[1] = OpenAndWrite(Files.ProcPath(pinned), OpenFlags.WriteOnly | OpenFlags.Truncate);
        results[2] = WithReadWrite(pinned, handle => Attacker.MapSharedWritable(handle, FileStatus.Of(handle, "sealed").Size));
        results[3] = WithReadWrite(pinned, Attacker.Truncate);
        var cleared = MountApi.TrySetAttributes(pinnedForMount, MountAttributes.None, MountAttributes.ReadOnly);
        results[4] = cleared != 0 ? cleared : OpenAndWrite(Files.ProcPath(pinnedForMount), OpenFlags.WriteOnly);
        return results;
    }

    internal static Process Start(string provider, string host, params string[] more)
    {
        var start = new ProcessStartInfo(Paths.Exeseal) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["exec", "--provider", provider, .. more, "--", host, "60"])
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            // exeseal has exec'd the sealed object once /proc/PID/exe no longer names exeseal itself.
            var link = new FileInfo($"/proc/{process.Id}/exe").LinkTarget;
            if (process.HasExited)
            {
                Assert.Fail($"exeseal exec --provider {provider} exited with {process.ExitCode}: {process.StandardError.ReadToEnd()}");
            }

            if (link is not null && !link.EndsWith("/exeseal", StringComparison.Ordinal))
            {
                return process;
            }

            Thread.Sleep(10);
        }

        process.Kill();
        throw new TimeoutException($"exeseal exec --provider {provider} did not exec within 20 s");
    }

    private static int OpenAndWrite(string path, int flags)
    {
        SafeFileHandle handle;
        try
        {
            handle = Files.Open(path, flags | OpenFlags.CloseOnExec);
        }
        catch (SealingException error)
        {
            return error.Errno;
        }

        using (handle)
        {
            return Attacker.Write(handle);
        }
    }

    private static int WithReadWrite(SafeFileHandle pinned, Func<SafeFileHandle, int> attack)
    {
        var errno = Files.TryReopen(pinned, OpenFlags.ReadWrite | OpenFlags.CloseOnExec, out var handle);
        if (errno != 0)
        {
            return errno;
        }

        using (handle)
        {
            return attack(handle!);
        }
    }

    private static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    private static string Render(Dictionary<(string Attack, string Provider), string> table)
    {
        var width = Attacks.Max(a => a.Length);
        var columns = Providers.Select(p => Math.Max(p.Length, table.Where(c => c.Key.Provider == p).Max(c => c.Value.Length))).ToArray();
        var text = new StringBuilder("attack × provider (CVE-2019-5736 through /proc/PID/exe of a program started with exeseal exec)\n");
        text.Append("attack".PadRight(width));
        for (var i = 0; i < Providers.Length; i++)
        {
            text.Append(" | ").Append(Providers[i].PadRight(columns[i]));
        }

        text.Append('\n');
        foreach (var attack in Attacks)
        {
            text.Append(attack.PadRight(width));
            for (var i = 0; i < Providers.Length; i++)
            {
                text.Append(" | ").Append(table[(attack, Providers[i])].PadRight(columns[i]));
            }

            text.Append('\n');
        }

        return text.ToString();
    }
}
