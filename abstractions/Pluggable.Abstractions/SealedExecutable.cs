using Microsoft.Win32.SafeHandles;

namespace Pluggable.Abstractions;

/// <summary>
/// A sealed object that can be executed with <c>execveat(fd, "", …, AT_EMPTY_PATH)</c>. It owns its handle:
/// disposing it closes the handle, and with it the last reference to a copy or a detached mount.
/// </summary>
public sealed class SealedExecutable : IDisposable
{
    /// <summary>Wraps <paramref name="handle"/>, produced by <paramref name="provider"/> with <paramref name="guarantee"/>.</summary>
    public SealedExecutable(SafeFileHandle handle, string provider, SealingGuarantee guarantee)
    {
        ArgumentNullException.ThrowIfNull(handle);
        ArgumentException.ThrowIfNullOrEmpty(provider);
        Handle = handle;
        Provider = provider;
        Guarantee = guarantee;
    }

    /// <summary>The handle to execute from.</summary>
    public SafeFileHandle Handle { get; }

    /// <summary>The name of the provider that produced this object.</summary>
    public string Provider { get; }

    /// <summary>The guarantee the provider claims for this object; the host verifies it.</summary>
    public SealingGuarantee Guarantee { get; }

    /// <inheritdoc/>
    public void Dispose() => Handle.Dispose();
}
