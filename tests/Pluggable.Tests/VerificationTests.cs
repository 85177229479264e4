using Pluggable.Linux;
using Pluggable.Runtime.Sealing;
using Pluggable.Tests.Support;

namespace Pluggable.Tests;

public sealed class VerificationTests
{
    [Theory]
    [InlineData("returns-source", "the sealed object is the source file itself")]
    [InlineData("returns-unsealed-memfd", "the memfd carries seals 0x0, not at least SEAL|SHRINK|GROW|WRITE")]
    [InlineData("returns-writable-tmpfile", "independent-data-copy: the copy is held through a writable descriptor, not O_PATH or read-only")]
    [InlineData("returns-source-as-view", "ro-shared-page: the sealed object is not on a read-only mount")]
    [InlineData("returns-null", "returned no sealed object")]
    [InlineData("throws-in-seal", "threw in Seal: InvalidOperationException: an unexpected exception")]
    [InlineData("throws-in-constructor", "could not be constructed: constructor failed on purpose")]
    [InlineData("unavailable", "not available here: this provider is never available")]
    public void A_provider_that_lies_or_breaks_is_refused_by_name_and_nothing_runs(string provider, string reason)
    {
        var result = Cli.Exeseal("exec", "--plugins", Paths.TestPlugins, "--provider", provider, "--", "/bin/echo", "must not run");

        Assert.Equal(1, result.ExitCode);
        Assert.DoesNotContain("must not run", result.Stdout, StringComparison.Ordinal);
        Assert.Contains(provider, result.Stderr, StringComparison.Ordinal);
        Assert.Contains(reason, result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_refused_result_is_closed_and_counts_as_that_providers_failure()
    {
        using var fixture = new RuntimeFixture();
        using var source = SourceExecutable.Open("/bin/true");

        using var outcome = fixture.Seal(source, "returns-unsealed-memfd", "memfd");

        Assert.Equal("memfd", outcome.Provider);
        Assert.Collection(
            outcome.Attempts,
            first => Assert.False(first.Ok),
            second => Assert.True(second.Ok));
        Assert.DoesNotContain(
            Directory.EnumerateFileSystemEntries("/proc/self/fd").Select(fd => new FileInfo(fd).LinkTarget),
            target => target is not null && target.Contains("memfd:unsealed", StringComparison.Ordinal));
    }

    [Fact]
    public void A_read_only_bind_of_a_program_that_is_running_is_accepted_though_the_kernel_answers_ETXTBSY_before_EROFS()
    {
        Requires.Root();
        using var fixture = new RuntimeFixture();
        using var directory = new TemporaryDirectory();
        var sleep = directory.File("sleep", File.ReadAllBytes("/usr/bin/sleep"), UnixFileMode.UserRead | UnixFileMode.UserExecute);
        using var running = System.Diagnostics.Process.Start(sleep, "30");
        try
        {
            using var source = SourceExecutable.Open(sleep);

            using var outcome = fixture.Seal(source, "ro-bind");

            // The bind shares the running program's inode: the kernel denies writers to an executing file
            // before it asks the mount for write access.
            Assert.Equal(Errno.ETXTBSY, Files.TryReopen(outcome.Executable.Handle, OpenFlags.WriteOnly | OpenFlags.CloseOnExec, out _));
            Assert.True(outcome.Verified.ReadOnlyMount);
        }
        finally
        {
            running.Kill();
            running.WaitForExit();
        }
    }
}
