namespace Pluggable.Abstractions;

/// <summary>Whether a provider can work on this host; when it cannot, a reason an operator can act on.</summary>
public sealed record ProviderProbe(bool Available, string? Reason)
{
    /// <summary>The provider can work here.</summary>
    public static ProviderProbe Ready { get; } = new(true, null);

    /// <summary>The provider cannot work here, because of <paramref name="reason"/>.</summary>
    public static ProviderProbe Unavailable(string reason) => new(false, reason);
}
