using System.Text.Json;
using Pluggable.Tests.Support;

namespace Pluggable.Tests;

public sealed class CliTests
{
    [Fact]
    public void Providers_lists_memfd_as_available_from_the_built_in_plugin_directory()
    {
        var result = Cli.Exeseal("providers", "--format", "json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        var memfd = json.RootElement.GetProperty("providers").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "memfd");
        Assert.True(memfd.GetProperty("available").GetBoolean());
        Assert.Equal("independent-data-copy", memfd.GetProperty("guarantee").GetString());
        Assert.StartsWith(Paths.BuiltInPlugins + "/", memfd.GetProperty("plugin").GetString(), StringComparison.Ordinal);
        Assert.Empty(json.RootElement.GetProperty("errors").EnumerateArray());
    }

    [Fact]
    public void Seal_reports_memfd_the_size_of_the_source_and_seals_15()
    {
        var result = Cli.Exeseal("seal", "/usr/bin/ls", "--format", "json", "--mode", "independent-data-copy");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.Equal("memfd", root.GetProperty("provider").GetString());
        Assert.Equal(new FileInfo("/usr/bin/ls").Length, root.GetProperty("size").GetInt64());
        Assert.Equal(15, root.GetProperty("seals").GetInt32());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("sha256").ValueKind);
        Assert.True(root.GetProperty("attempts")[0].GetProperty("ok").GetBoolean());
    }

    [Fact]
    public void Exec_runs_the_program_from_a_sealed_memfd()
    {
        var result = Cli.Exeseal("exec", "--mode", "independent-data-copy", "--", "/bin/sh", "-c", "readlink /proc/$$/exe");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("/memfd:", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Exec_passes_the_programs_exit_status_through()
    {
        Assert.Equal(7, Cli.Exeseal("exec", "--", "/bin/sh", "-c", "exit 7").ExitCode);
    }

    [Fact]
    public void Exec_keeps_argv0_as_the_user_gave_it()
    {
        var result = Cli.Exeseal("exec", "--", "/bin/sh", "-c", "tr '\\0' ' ' < /proc/$$/cmdline");

        Assert.StartsWith("/bin/sh -c ", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Exec_finds_a_program_named_without_a_slash_in_PATH_and_keeps_the_name_as_argv0()
    {
        var result = Cli.Exeseal("exec", "--mode", "independent-data-copy", "--", "sh", "-c", "tr '\\0' ' ' < /proc/$$/cmdline; readlink /proc/$$/exe");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("sh -c ", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("/memfd:exeseal:", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Exec_hands_the_program_only_stdin_stdout_and_stderr()
    {
        var result = Cli.Exeseal("exec", "--", "/bin/sh", "-c", "ls /proc/$$/fd");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["0", "1", "2"], result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Exec_gives_the_program_the_default_action_for_SIGPIPE()
    {
        var result = Cli.Exeseal("exec", "--", "/bin/sh", "-c", "grep '^SigIgn' /proc/$$/status");

        Assert.Equal("SigIgn:\t0000000000000000", result.Stdout.Trim());
    }

    public static TheoryData<string, string[], string> BadInput()
    {
        var data = new TheoryData<string, string[], string>
        {
            { "a missing file", ["seal", "/nonexistent/exeseal-test"], "/nonexistent/exeseal-test: no such file" },
            { "a directory", ["seal", "/usr/bin"], "/usr/bin is a directory, not an executable file" },
            { "a character device", ["seal", "/dev/null"], "/dev/null is a character device, not a regular file" },
            { "nothing after --", ["exec", "--"], "nothing to execute" },
            { "a program that is not in PATH", ["exec", "--", "exeseal-no-such-program"], "exeseal-no-such-program: not found in PATH; give its path" },
            { "an unknown format", ["providers", "--format", "xml"], "xml" },
            { "an unknown command", ["sael", "/bin/true"], "sael" },
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(BadInput))]
    public void Bad_input_gets_one_sentence_on_stderr_and_exit_2(string what, string[] arguments, string expected)
    {
        var result = Cli.Exeseal(arguments);

        Assert.True(result.ExitCode == 2, $"{what}: {result}");
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public void An_empty_file_is_refused_with_exit_2()
    {
        using var directory = new TemporaryDirectory();
        var empty = directory.File("empty", [], UnixFileMode.UserRead | UnixFileMode.UserExecute);

        var result = Cli.Exeseal("seal", empty);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"exeseal: {empty} is empty: there is nothing to seal", result.Stderr.Trim());
    }

    [Fact]
    public void A_file_without_execute_permission_is_refused_with_exit_2()
    {
        using var directory = new TemporaryDirectory();
        var data = directory.File("data", [1, 2, 3], UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var result = Cli.Exeseal("exec", "--", data);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"exeseal: {data} is not executable (mode 600); exeseal seals programs", result.Stderr.Trim());
    }

    [Fact]
    public void Json_errors_are_one_document_on_stdout_with_the_exit_code()
    {
        var result = Cli.Exeseal("seal", "/nonexistent/exeseal-test", "--format", "json");

        Assert.Equal(2, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal(2, json.RootElement.GetProperty("exitCode").GetInt32());
        Assert.Contains("no such file", json.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }
}
