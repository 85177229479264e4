using System.Globalization;
using Pluggable.Tests.Support;

namespace Pluggable.Tests;

/// <summary>
/// What the exec'd program holds, read from outside through /proc/PID/fd: stdio only. A descriptor of a plugin
/// file, the state directory, the source or the sealed object would hand the program a way back to the host
/// (the lesson of CVE-2024-21626, where runc leaked a host directory descriptor into the container).
/// </summary>
public sealed class FdHygieneTests
{
    [Theory]
    [MemberData(nameof(ProviderGuaranteeTests.Providers), MemberType = typeof(ProviderGuaranteeTests))]
    public void The_program_exeseal_exec_starts_holds_only_stdin_stdout_and_stderr(string provider)
    {
        ProviderGuaranteeTests.RequiresPrivilegeFor(provider);
        using var directory = new TemporaryDirectory();
        var program = directory.File("sleep", File.ReadAllBytes("/bin/sleep"), UnixFileMode.UserRead | UnixFileMode.UserExecute);
        using var stateParent = new TemporaryDirectory();
        // Not below the program's directory: overlayfs refuses a lower layer that contains its own layers (ELOOP).
        var state = Path.Combine(stateParent.Path, "state");

        using var target = ExeAttackTests.Start(provider, program, "--plugins", Paths.TestPlugins, "--state-dir", state);
        // Right after execveat the dynamic loader briefly opens the program's libraries; a leaked descriptor stays.
        var held = Held(target.Id);
        for (var clock = System.Diagnostics.Stopwatch.StartNew(); !OnlyStdio(held) && clock.Elapsed < TimeSpan.FromSeconds(3); held = Held(target.Id))
        {
            Thread.Sleep(20);
        }

        target.Kill();
        target.WaitForExit();

        var described = string.Join(", ", held.Select(pair => $"{pair.Fd} → {pair.Target}"));
        Assert.True(OnlyStdio(held), $"{provider}: the program holds {described}");
        Assert.DoesNotContain(held, pair => pair.Target.Contains("plugins", StringComparison.Ordinal)
            || pair.Target.StartsWith(directory.Path, StringComparison.Ordinal)
            || pair.Target.StartsWith(stateParent.Path, StringComparison.Ordinal)
            || pair.Target.Contains("memfd:", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(state, "state.json")), "the state directory was written");
    }

    private static bool OnlyStdio(List<(int Fd, string Target)> held) => held.Select(pair => pair.Fd).SequenceEqual([0, 1, 2]);

    private static List<(int Fd, string Target)> Held(int pid) =>
        Directory.GetFileSystemEntries($"/proc/{pid}/fd")
            .Select(entry => (Fd: int.Parse(Path.GetFileName(entry), CultureInfo.InvariantCulture), Target: new FileInfo(entry).LinkTarget ?? ""))
            .OrderBy(pair => pair.Fd)
            .ToList();
}
