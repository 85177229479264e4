using System.Composition;

namespace Pluggable.Abstractions;

/// <summary>
/// Exports an <see cref="ISealingProvider"/> under a name. The host reads these properties as MEF metadata
/// without constructing the provider.
/// </summary>
[MetadataAttribute]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ExportSealingProviderAttribute : ExportAttribute
{
    /// <summary>Exports the provider as <paramref name="name"/>, the name chains and <c>--provider</c> use.</summary>
    public ExportSealingProviderAttribute(string name)
        : base(typeof(ISealingProvider))
    {
        Name = name;
    }

    /// <summary>The provider's name: lower-case, unique among the loaded plugins.</summary>
    public string Name { get; }

    /// <summary>The guarantee every result of this provider keeps; the host verifies it.</summary>
    public SealingGuarantee Guarantee { get; set; }

    /// <summary>An experimental provider runs only where the operator allows experimental providers.</summary>
    public bool Experimental { get; set; }

    /// <summary>One sentence for operators: how the provider seals and what it costs.</summary>
    public string Description { get; set; } = "";

    /// <summary>
    /// The keys the provider reads from <see cref="SealRequest.Settings"/> (<c>providers.&lt;name&gt;.&lt;key&gt;</c> in
    /// the operator's configuration); the host reports any other key it finds there. Empty: the provider has no settings.
    /// </summary>
#pragma warning disable CA1819 // Attribute arguments can only be arrays; MEF copies the value into the metadata.
    public string[] Settings { get; set; } = [];
#pragma warning restore CA1819
}

/// <summary>The metadata of an exported provider, as the host reads it.</summary>
public sealed class SealingProviderMetadata
{
    /// <inheritdoc cref="ExportSealingProviderAttribute.Name"/>
    public string Name { get; set; } = "";

    /// <inheritdoc cref="ExportSealingProviderAttribute.Guarantee"/>
    public SealingGuarantee Guarantee { get; set; }

    /// <inheritdoc cref="ExportSealingProviderAttribute.Experimental"/>
    public bool Experimental { get; set; }

    /// <inheritdoc cref="ExportSealingProviderAttribute.Description"/>
    public string Description { get; set; } = "";

    /// <inheritdoc cref="ExportSealingProviderAttribute.Settings"/>
#pragma warning disable CA1819 // The metadata view mirrors the attribute.
    public string[] Settings { get; set; } = [];
#pragma warning restore CA1819
}
