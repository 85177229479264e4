using Pluggable.Abstractions;
using Pluggable.Linux;
using Pluggable.Runtime.Sealing;
using Pluggable.Tests.Support;

namespace Pluggable.Tests;

public sealed class MemfdProviderTests(RuntimeFixture fixture) : IClassFixture<RuntimeFixture>
{
    private const string Source = "/usr/bin/ls";

    [Fact]
    public void The_sealed_memfd_holds_exactly_the_bytes_of_the_source()
    {
        using var source = SourceExecutable.Open(Source);
        using var outcome = fixture.Seal(source, "memfd");

        using var readable = Files.Reopen(outcome.Executable.Handle, OpenFlags.ReadOnly | OpenFlags.CloseOnExec);
        var sealedBytes = new byte[source.Size + 1];
        var read = RandomAccess.Read(readable, sealedBytes, 0);

        Assert.Equal(source.Size, read);
        Assert.Equal(File.ReadAllBytes(Source), sealedBytes.AsSpan(0, read).ToArray());
    }

    [Fact]
    public void The_memfd_carries_exactly_the_four_seals_runc_and_crun_look_for()
    {
        using var source = SourceExecutable.Open(Source);
        using var outcome = fixture.Seal(source, "memfd");

        Assert.Equal(FileSeals.Seal | FileSeals.Shrink | FileSeals.Grow | FileSeals.Write, Seals.OfMemfd(outcome.Executable.Handle));
        Assert.Equal(0xf, (int)outcome.Verified.Seals!.Value);
    }

    [Fact]
    public void The_kernel_refuses_write_truncate_and_a_writable_shared_mapping_with_EPERM()
    {
        using var source = SourceExecutable.Open(Source);
        using var outcome = fixture.Seal(source, "memfd");
        var memfd = outcome.Executable.Handle;

        Assert.Equal(Errno.EPERM, Attacker.Write(memfd));
        Assert.Equal(Errno.EPERM, Attacker.Truncate(memfd));
        Assert.Equal(Errno.EPERM, Attacker.MapSharedWritable(memfd, source.Size));
        Assert.Equal(File.ReadAllBytes(Source).Length, FileStatus.Of(memfd, "memfd").Size);
    }

    [Fact]
    public void A_provider_from_a_plugin_is_the_hosts_ISealingProvider_loaded_in_its_own_context()
    {
        var memfd = fixture.Catalog.Find("memfd");

        Assert.NotNull(memfd);
        ISealingProvider provider = memfd.Provider;
        Assert.True(provider.Probe().Available);
        var context = System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(provider.GetType().Assembly);
        Assert.NotSame(System.Runtime.Loader.AssemblyLoadContext.Default, context);
        Assert.StartsWith(Paths.BuiltInPlugins, memfd.Plugin, StringComparison.Ordinal);
    }

    [Fact]
    public void The_first_plugin_to_export_a_name_keeps_it_and_the_second_is_reported()
    {
        Assert.StartsWith(Paths.BuiltInPlugins, fixture.Catalog.Find("memfd")!.Plugin, StringComparison.Ordinal);
        Assert.Contains(fixture.Catalog.Errors, e => e.Message.Contains("\"memfd\" is already taken", StringComparison.Ordinal));
    }
}
