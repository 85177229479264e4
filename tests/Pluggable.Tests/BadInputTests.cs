using Pluggable.Tests.Support;

namespace Pluggable.Tests;

/// <summary>
/// Input exeseal must refuse: each case gets one sentence on stderr, its documented exit code, and leaves nothing
/// behind — no mount, nothing under stateRoot, no state.json or temporary file in a given state directory.
/// "{d}" in an argument is the case's scratch directory, which holds the files the cases refer to.
/// </summary>
public sealed class BadInputTests
{
    private const UnixFileMode Executable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public static TheoryData<string, string[], int, string> Cases() => new()
    {
        { "a value in another case", ["seal", "/bin/true", "--mode", "Independent-Data-Copy"], 2, "invalid org.opencontainers.runc.clone-self-exe value \"Independent-Data-Copy\"" },
        { "a value with a leading space", ["seal", "/bin/true", "--mode", " independent-data-copy"], 2, "value \" independent-data-copy\"" },
        { "a value with a trailing tab", ["seal", "/bin/true", "--mode", "ro-shared-page\t"], 2, "value \"ro-shared-page\t\"" },
        { "a value of 10,000 characters", ["seal", "/bin/true", "--mode", new string('x', 10_000)], 2, "invalid org.opencontainers.runc.clone-self-exe value \"xxxx" },
        { "a value that is not UTF-8", ["seal", "/bin/true", "--mode", "{non-utf8}"], 2, "invalid org.opencontainers.runc.clone-self-exe value \"\uFFFD\"" },
        { "a value policy does not allow", ["seal", "/bin/true", "--config", "{d}/forbidden.json", "--mode", "ro-shared-page"], 3, "refused by policy: \"ro-shared-page\" is not in allowedModes" },
        { "an annotation without =", ["seal", "/bin/true", "--annotation", "org.opencontainers.runc.clone-self-exe"], 2, "is not KEY=VALUE" },
        { "an annotation without a key", ["seal", "/bin/true", "--annotation", "=memfd"], 2, "is not KEY=VALUE" },
        { "an annotation given twice", ["seal", "/bin/true", "--annotation", "a=1", "--annotation", "a=2"], 2, "--annotation a is given twice" },
        { "a bundle directory that does not exist", ["seal", "/bin/true", "--bundle", "{d}/no-bundle"], 2, "no-bundle does not exist" },
        { "a bundle without config.json", ["seal", "/bin/true", "--bundle", "{d}/empty-bundle"], 2, "has no config.json" },
        { "a bundle whose config.json is not JSON", ["seal", "/bin/true", "--bundle", "{d}/broken-bundle"], 2, "config.json is not valid JSON" },
        { "a bundle whose annotations are a list", ["seal", "/bin/true", "--bundle", "{d}/list-bundle"], 2, "\"annotations\" must be an object of strings" },
        { "a configuration file that is not JSON", ["seal", "/bin/true", "--config", "{d}/broken.json"], 2, "broken.json is not valid JSON" },
        { "a configuration file that does not exist", ["seal", "/bin/true", "--config", "{d}/missing.json"], 2, "missing.json does not exist" },
        { "a configuration key that does not exist", ["seal", "/bin/true", "--config", "{d}/unknown-key.json"], 2, "colour in " },
        { "a configuration value of the wrong type", ["seal", "/bin/true", "--config", "{d}/wrong-type.json"], 2, "allowExperimental in " },
        { "a chain naming an unknown provider", ["seal", "/bin/true", "--config", "{d}/unknown-provider.json"], 2, "names provider \"no-such-provider\", which no plugin provides" },
        { "a relative stateRoot", ["seal", "/bin/true", "--config", "{d}/relative-state.json"], 2, "stateRoot in " },
        { "a negative maxSourceBytes", ["seal", "/bin/true", "--config", "{d}/negative-size.json"], 2, "maxSourceBytes in " },
        { "a seal timeout that is not a number", ["seal", "/bin/true", "--config", "{d}/bad-timeout.json"], 2, "sealTimeouts.memfd in " },
        { "a file that does not exist", ["seal", "{d}/missing"], 2, "missing: no such file" },
        { "a directory", ["seal", "{d}"], 2, "is a directory, not an executable file" },
        { "a fifo", ["seal", "{d}/fifo"], 2, "fifo is a fifo, not a regular file" },
        { "a device", ["seal", "/dev/null"], 2, "/dev/null is a character device, not a regular file" },
        { "an empty file", ["seal", "{d}/empty"], 2, "empty is empty: there is nothing to seal" },
        { "a file without an execute bit", ["seal", "{d}/not-executable"], 2, "is not executable (mode 644)" },
        { "a file over maxSourceBytes", ["seal", "{d}/program", "--config", "{d}/small.json"], 2, "more than maxSourceBytes (1000); raise maxSourceBytes" },
        { "a state directory that is a file", ["seal", "/bin/true", "--state-dir", "{d}/program"], 2, "cannot be created" },
        { "a state directory that cannot be created", ["seal", "/bin/true", "--state-dir", "/proc/exeseal-state"], 2, "state directory /proc/exeseal-state cannot be created" },
        { "nothing to execute", ["exec", "--"], 2, "nothing to execute" },
        { "a .NET apphost to execute", ["exec", "--", "{exeseal}", "providers"], 2, "is a .NET apphost" },
        { "an unknown output format", ["seal", "/bin/true", "--format", "xml"], 2, "Argument 'xml' not recognized" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Bad_input_is_refused_with_one_sentence_and_its_exit_code_and_leaves_nothing_behind(string input, string[] arguments, int exitCode, string sentence)
    {
        using var directory = new TemporaryDirectory();
        var d = directory.Path;
        Prepare(d);
        var stateRoot = Path.Combine(d, "state-root");
        var mountsBefore = Mounts();
        var expanded = arguments.Select(a => a.Replace("{d}", d, StringComparison.Ordinal).Replace("{exeseal}", Paths.Exeseal, StringComparison.Ordinal)).ToArray();

        var result = expanded.Contains("{non-utf8}")
            ? Cli.Run("/bin/sh", ["-c", "exec \"$0\" \"$@\" \"$(printf '\\377')\"", Paths.Exeseal, .. expanded.TakeWhile(a => a != "{non-utf8}")], Environment(stateRoot, input))
            : Cli.Run(Paths.Exeseal, expanded, Environment(stateRoot, input));

        Assert.True(result.ExitCode == exitCode, $"{input}: {result}");
        var lines = result.Stderr.TrimEnd('\n').Split('\n');
        Assert.True(lines[0].StartsWith("exeseal: ", StringComparison.Ordinal) || sentence.StartsWith("Argument", StringComparison.Ordinal), $"{input}: {result}");
        Assert.Contains(sentence, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
        Assert.True(!Directory.Exists(stateRoot) || Directory.GetFileSystemEntries(stateRoot).Length == 0, $"{input}: {stateRoot} is not empty");
        Assert.Empty(Directory.GetFiles(d, "state.json*", SearchOption.AllDirectories));
        Assert.Equal(mountsBefore, Mounts());
    }

    [Fact]
    public void A_file_exeseal_may_not_read_is_refused_with_permission_denied()
    {
        Requires.Root();
        var setpriv = Requires.Tool("setpriv");
        using var directory = new TemporaryDirectory();
        File.SetUnixFileMode(directory.Path, Executable | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        var program = directory.File("program", File.ReadAllBytes("/bin/true"), UnixFileMode.UserExecute | UnixFileMode.OtherExecute);

        var result = Cli.Run(setpriv, ["--reuid=65534", "--regid=65534", "--clear-groups", Paths.Exeseal, "seal", program, "--provider", "memfd"]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal($"exeseal: {program}: permission denied; exeseal must be able to read the file it seals", result.Stderr.TrimEnd('\n'));
    }

    // EXESEAL_STATEROOT overrides the file: the one case about the file's stateRoot must not have it.
    private static Dictionary<string, string> Environment(string stateRoot, string input) =>
        input == "a relative stateRoot" ? [] : new() { ["EXESEAL_STATEROOT"] = stateRoot };

    private static string Mounts() => File.ReadAllText("/proc/self/mountinfo");

    private static void Prepare(string d)
    {
        void Write(string name, string text) => File.WriteAllText(Path.Combine(d, name), text);
        Write("forbidden.json", """{ "allowedModes": ["independent-data-copy"] }""");
        Write("broken.json", """{ "defaultChain": [ """);
        Write("unknown-key.json", """{ "colour": "blue" }""");
        Write("wrong-type.json", """{ "allowExperimental": "maybe" }""");
        Write("unknown-provider.json", """{ "defaultChain": ["no-such-provider"] }""");
        Write("relative-state.json", """{ "stateRoot": "run/exeseal" }""");
        Write("negative-size.json", """{ "maxSourceBytes": -1 }""");
        Write("bad-timeout.json", """{ "sealTimeouts": { "memfd": "soon" } }""");
        Write("small.json", """{ "maxSourceBytes": 1000 }""");
        Directory.CreateDirectory(Path.Combine(d, "empty-bundle"));
        Directory.CreateDirectory(Path.Combine(d, "broken-bundle"));
        Write("broken-bundle/config.json", "{ \"annotations\": ");
        Directory.CreateDirectory(Path.Combine(d, "list-bundle"));
        Write("list-bundle/config.json", """{ "ociVersion": "1.0.2", "annotations": ["org.opencontainers.runc.clone-self-exe"] }""");
        File.WriteAllBytes(Path.Combine(d, "program"), File.ReadAllBytes("/bin/true"));
        File.SetUnixFileMode(Path.Combine(d, "program"), Executable);
        File.WriteAllBytes(Path.Combine(d, "empty"), []);
        File.SetUnixFileMode(Path.Combine(d, "empty"), Executable);
        File.WriteAllBytes(Path.Combine(d, "not-executable"), [0x7f, (byte)'E', (byte)'L', (byte)'F']);
        File.SetUnixFileMode(Path.Combine(d, "not-executable"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        Assert.Equal(0, Cli.Run("mkfifo", [Path.Combine(d, "fifo")]).ExitCode);
    }
}
