using System.Text.RegularExpressions;
using Pluggable.Linux;
using Pluggable.Runtime.Sealing;
using Pluggable.Tests.Support;

namespace Pluggable.Tests;

/// <summary>What every built-in provider promises, checked against what the kernel answers.</summary>
public sealed class ProviderGuaranteeTests(RuntimeFixture fixture) : IClassFixture<RuntimeFixture>
{
    public static TheoryData<string> Providers() => new(["memfd", "tmpfile", "overlayfs", "ro-bind"]);

    public static TheoryData<string, string> ProcExeOfShell() => new()
    {
        { "memfd", "^/memfd:exeseal:sh \\(deleted\\)$" },
        { "tmpfile", "^/.*/#[0-9]+ \\(deleted\\)$" },
        // The detached overlay's root is the binary's directory: the kernel prints the file's name under "/".
        { "overlayfs", "^/" + Regex.Escape(RealName("/bin/sh")) + "$" },
        // A bind of a file alone is a mount whose root is the file: the kernel prints just "/".
        { "ro-bind", "^/$" },
    };

    [Theory]
    [MemberData(nameof(Providers))]
    public void The_sealed_object_holds_exactly_the_bytes_of_the_source(string provider)
    {
        RequiresPrivilegeFor(provider);
        using var source = SourceExecutable.Open("/usr/bin/ls");

        using var outcome = fixture.Seal(source, provider);

        Assert.Equal(provider, outcome.Provider);
        Assert.Equal(File.ReadAllBytes("/usr/bin/ls"), ReadAll(outcome.Executable.Handle));
    }

    [Theory]
    [MemberData(nameof(ProcExeOfShell))]
    public void Exec_with_the_provider_runs_the_program_and_proc_exe_names_the_sealed_object(string provider, string expected)
    {
        RequiresPrivilegeFor(provider);

        var result = Cli.Exeseal("exec", "--provider", provider, "--", "/bin/sh", "-c", "readlink /proc/$$/exe");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(expected, result.Stdout.TrimEnd('\n'));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Nothing_can_be_written_through_the_handle_a_provider_returns(string provider)
    {
        RequiresPrivilegeFor(provider);
        using var directory = new TemporaryDirectory();
        var program = directory.File("program", File.ReadAllBytes("/usr/bin/true"), UnixFileMode.UserRead | UnixFileMode.UserExecute);
        using var source = SourceExecutable.Open(program);

        using var outcome = fixture.Seal(source, provider);
        var handle = outcome.Executable.Handle;

        // memfd: the seals answer EPERM; the others hand out O_PATH handles, which the kernel refuses with EBADF.
        var expected = provider == "memfd" ? Errno.EPERM : Errno.EBADF;
        Assert.Equal(expected, Attacker.Write(handle));
        Assert.Equal(expected, Attacker.Truncate(handle));
        Assert.Equal(File.ReadAllBytes("/usr/bin/true"), File.ReadAllBytes(program));
    }

    [Theory]
    [InlineData("overlayfs")]
    [InlineData("ro-bind")]
    public void Reopening_a_read_only_view_for_writing_fails_with_EROFS(string provider)
    {
        Requires.Root();
        using var directory = new TemporaryDirectory();
        var program = directory.File("program", File.ReadAllBytes("/usr/bin/true"), UnixFileMode.UserRead | UnixFileMode.UserExecute);
        using var source = SourceExecutable.Open(program);

        using var outcome = fixture.Seal(source, provider);

        Assert.Equal(Errno.EROFS, Files.TryReopen(outcome.Executable.Handle, OpenFlags.WriteOnly | OpenFlags.CloseOnExec, out var writeOnly));
        Assert.Equal(Errno.EROFS, Files.TryReopen(outcome.Executable.Handle, OpenFlags.ReadWrite | OpenFlags.CloseOnExec, out var readWrite));
        Assert.Null(writeOnly);
        Assert.Null(readWrite);
        Assert.True(outcome.Verified.ReadOnlyMount);
    }

    [Theory]
    [InlineData("overlayfs")]
    [InlineData("ro-bind")]
    public void The_detached_mount_cannot_be_made_writable_or_attached_through_the_sealed_handle(string provider)
    {
        Requires.Root();
        using var source = SourceExecutable.Open("/usr/bin/ls");

        using var outcome = fixture.Seal(source, provider);

        // The provider closed its mount descriptor, so the kernel has dissolved the detached mount.
        Assert.Equal(Errno.EINVAL, MountApi.TrySetAttributes(outcome.Executable.Handle, MountAttributes.None, MountAttributes.ReadOnly));
        Assert.True(Descriptors.IsOnReadOnlyMount(outcome.Executable.Handle, "the view"));
    }

    [Fact]
    public void Writing_through_a_reopened_tmpfile_copy_leaves_the_host_file_unchanged_and_no_writable_descriptor_remains()
    {
        Requires.Root();
        using var directory = new TemporaryDirectory();
        var original = File.ReadAllBytes("/usr/bin/true");
        var program = directory.File("program", original, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        using var source = SourceExecutable.Open(program);

        using var outcome = fixture.Seal(source, "tmpfile");
        var copy = Files.PathOf(outcome.Executable.Handle);
        var heldBeforeAttack = OwnDescriptors.On(copy);
        using (var attack = Files.Reopen(outcome.Executable.Handle, OpenFlags.ReadWrite | OpenFlags.CloseOnExec))
        {
            Assert.Equal(0, Attacker.Write(attack));
        }

        Assert.EndsWith(" (deleted)", copy, StringComparison.Ordinal);
        Assert.Equal(0u, FileStatus.Of(outcome.Executable.Handle, "copy").LinkCount);
        Assert.Equal(0x149, FileStatus.Of(outcome.Executable.Handle, "copy").Mode & 0xFFF);
        var held = Assert.Single(heldBeforeAttack);
        Assert.False(OwnDescriptors.CanWrite(held.Flags), $"fd {held.Fd} has flags {Convert.ToString(held.Flags, 8)}");
        Assert.Equal(original, File.ReadAllBytes(program));
        Assert.NotEqual(original, ReadAll(outcome.Executable.Handle));
    }

    internal static void RequiresPrivilegeFor(string provider)
    {
        if (provider is "overlayfs" or "ro-bind")
        {
            Requires.Root();
        }
    }

    internal static byte[] ReadAll(Microsoft.Win32.SafeHandles.SafeFileHandle handle)
    {
        using var readable = Files.Reopen(handle, OpenFlags.ReadOnly | OpenFlags.CloseOnExec);
        var size = FileStatus.Of(readable, "sealed").Size;
        var bytes = new byte[size];
        Assert.Equal(size, RandomAccess.Read(readable, bytes, 0));
        return bytes;
    }

    private static string RealName(string path) =>
        Path.GetFileName(new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path);
}
