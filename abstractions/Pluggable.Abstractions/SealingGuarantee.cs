namespace Pluggable.Abstractions;

/// <summary>What a sealed executable promises about the bytes a process runs from.</summary>
public enum SealingGuarantee
{
    /// <summary>The process runs from its own copy of the bytes; page-cache poisoning of the source cannot reach it.</summary>
    IndependentDataCopy,

    /// <summary>The process runs from a read-only view that shares the source's page cache; no write path exists.</summary>
    RoSharedPage,
}

/// <summary>The spelling of each guarantee used by the annotation, the CLI and JSON output.</summary>
public static class SealingGuarantees
{
    /// <summary>The annotation value of <see cref="SealingGuarantee.IndependentDataCopy"/>.</summary>
    public const string IndependentDataCopy = "independent-data-copy";

    /// <summary>The annotation value of <see cref="SealingGuarantee.RoSharedPage"/>.</summary>
    public const string RoSharedPage = "ro-shared-page";

    /// <summary>Returns the annotation spelling of <paramref name="guarantee"/>.</summary>
    public static string ToName(this SealingGuarantee guarantee) => guarantee switch
    {
        SealingGuarantee.IndependentDataCopy => IndependentDataCopy,
        SealingGuarantee.RoSharedPage => RoSharedPage,
        _ => throw new ArgumentOutOfRangeException(nameof(guarantee), guarantee, "unknown sealing guarantee"),
    };
}
