using System.Runtime.Loader;
using Pluggable.Abstractions;
using Pluggable.Runtime.Discovery;
using Pluggable.Tests.Support;

namespace Pluggable.Tests;

public sealed class PluginLoadContextTests
{
    [Fact]
    public void Each_plugin_has_a_load_context_of_its_own_and_shares_the_contract_with_the_host()
    {
        var loader = new McMasterPluginAssemblyLoader();
        var memfd = loader.Load(Path.Combine(Paths.BuiltInPlugins, "Pluggable.Providers.Memfd", "Pluggable.Providers.Memfd.dll"));
        var tmpfile = loader.Load(Path.Combine(Paths.BuiltInPlugins, "Pluggable.Providers.Tmpfile", "Pluggable.Providers.Tmpfile.dll"));

        var memfdContext = AssemblyLoadContext.GetLoadContext(memfd);
        Assert.NotSame(AssemblyLoadContext.Default, memfdContext);
        Assert.NotSame(memfdContext, AssemblyLoadContext.GetLoadContext(tmpfile));
        var provider = memfd.GetTypes().Single(type => typeof(ISealingProvider).IsAssignableFrom(type));
        Assert.Same(typeof(ISealingProvider).Assembly, provider.GetInterfaces().Single().Assembly);
    }
}
