using Pluggable.Runtime.Sealing;
using Pluggable.Tests.Support;

namespace Pluggable.Tests;

/// <summary>A source that changes size between the open and the copy: the copy must not pass as a seal of it.</summary>
public sealed class ShrinkingSourceTests(RuntimeFixture fixture) : IClassFixture<RuntimeFixture>
{
    [Theory]
    [InlineData("memfd")]
    [InlineData("tmpfile")]
    public void A_source_truncated_after_it_was_opened_fails_to_seal_and_leaves_the_state_directory_empty(string provider)
    {
        using var directory = new TemporaryDirectory();
        using var stateParent = new TemporaryDirectory();
        var program = directory.File("program", File.ReadAllBytes("/usr/bin/ls"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using var source = SourceExecutable.Open(program);
        using (var shrink = File.OpenHandle(program, FileMode.Open, FileAccess.Write))
        {
            RandomAccess.SetLength(shrink, source.Size / 2);
        }

        using var state = StateDirectory.UseGiven(stateParent.Path);
        var chain = new SealChain("", [provider], SealChainOrigin.ProviderOverride);

        var error = Assert.Throws<SealingFailedException>(() => fixture.Runtime.Seal(source, chain, state, TestContext.Current.CancellationToken));

        Assert.Contains($"cannot seal {program} with --provider ({provider}); nothing was executed.", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(stateParent.Path));
    }
}
