using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Pluggable.Tests.Support;

namespace Pluggable.Tests;

public sealed class VerifyCommandTests
{
    private static JsonElement VerifyPid(int pid, int expectedExit)
    {
        var result = Cli.Exeseal("verify", "--pid", pid.ToString(CultureInfo.InvariantCulture), "--format", "json");
        Assert.True(result.ExitCode == expectedExit, result.ToString());
        return Json.Parse(result);
    }

    private static Process StartSleeping(params string[] prefix)
    {
        string[] command = [.. prefix, "/bin/sleep", "30"];
        var start = new ProcessStartInfo(command[0]) { RedirectStandardError = true };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (new FileInfo($"/proc/{process.Id}/exe").LinkTarget is { } exe && exe.EndsWith("/exeseal", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline && !process.HasExited, "exeseal exec did not become the program");
            Thread.Sleep(10);
        }

        return process;
    }

    [Theory]
    [InlineData("independent-data-copy", "memfd", "sealed-memfd")]
    [InlineData("independent-data-copy", "tmpfile", "unlinked-copy")]
    [InlineData("ro-shared-page", "overlayfs", "read-only-mount")]
    public void A_process_started_by_exeseal_exec_is_reported_protected(string mode, string provider, string kind)
    {
        if (provider == "overlayfs")
        {
            Requires.Root();
        }

        using var process = StartSleeping(Paths.Exeseal, "exec", "--mode", mode, "--provider", provider, "--");
        try
        {
            var verdict = VerifyPid(process.Id, 0);

            Assert.Equal(kind, verdict.Text("kind"));
            Assert.True(verdict.GetProperty("protected").GetBoolean());
            Assert.Equal(process.Id, verdict.GetProperty("pid").GetInt32());
            if (kind == "sealed-memfd")
            {
                Assert.Equal(15, verdict.GetProperty("seals").GetInt32());
            }
        }
        finally
        {
            process.Kill();
        }
    }

    [Fact]
    public void A_plain_process_is_reported_unprotected_with_exit_1()
    {
        using var process = StartSleeping();
        try
        {
            var verdict = VerifyPid(process.Id, 1);

            Assert.Equal("unprotected", verdict.Text("kind"));
            Assert.False(verdict.GetProperty("protected").GetBoolean());
            Assert.Equal(JsonValueKind.Null, verdict.GetProperty("seals").ValueKind);
        }
        finally
        {
            process.Kill();
        }
    }

    [Fact]
    public void A_file_on_a_writable_filesystem_is_unprotected()
    {
        var result = Cli.Exeseal("verify", "/usr/bin/ls");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("/usr/bin/ls: unprotected (NOT protected)", result.Stdout.Trim());
    }

    [Fact]
    public void A_pid_that_does_not_exist_is_bad_input()
    {
        var result = Cli.Exeseal("verify", "--pid", "999999999");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("exeseal: no process with pid 999999999", result.Stderr.Trim());
    }

    [Fact]
    public void A_dotnet_single_file_host_is_refused_before_sealing_because_it_cannot_run_sealed()
    {
        // The SDK's own single-file host: what `dotnet publish -p:PublishSingleFile=true --self-contained` puts first in the file.
        var dotnetRoot = Path.GetFullPath(Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var hosts = Directory.GetFiles(Path.Combine(dotnetRoot, "packs"), "singlefilehost", SearchOption.AllDirectories);
        Assert.True(hosts.Length > 0, $"no singlefilehost under {dotnetRoot}/packs");

        var result = Cli.Exeseal("exec", "--", hosts[0]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            $"exeseal: {hosts[0]} is a .NET apphost, which finds its files through /proc/self/exe and cannot run from a sealed object; publish it with Native AOT, or run it as: exeseal exec -- dotnet app.dll\n",
            result.Stderr);
    }

    [Fact]
    public void A_dotnet_apphost_is_refused_before_sealing_because_it_cannot_run_sealed()
    {
        var result = Cli.Exeseal("exec", "--", Paths.Exeseal, "providers");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("is a .NET apphost, which finds its files through /proc/self/exe and cannot run from a sealed object", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }
}
