namespace Pluggable.Tests.Support;

/// <summary>
/// Tests that pack the contract into the shared local feed and build against it. They write the same files, so
/// they run one at a time and apart from the others.
/// </summary>
[CollectionDefinition(nameof(ContractPackages), DisableParallelization = true)]
public sealed class ContractPackages : ICollectionFixture<VendorSample>;

/// <summary>samples/VendorProvider, built from the packages alone and installed in a plugin directory of its own.</summary>
public sealed class VendorSample : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    public VendorSample()
    {
        Dotnet.PackContract();
        Dotnet.Run("publish", Path.Combine(Paths.Repository, "samples", "VendorProvider"), "-c", "Release", "-o", Plugin);
    }

    public string PluginDirectory => Path.Combine(directory.Path, "plugins");

    public string Plugin => Path.Combine(PluginDirectory, "VendorProvider");

    public string Scratch => directory.Path;

    public void Dispose() => directory.Dispose();
}
