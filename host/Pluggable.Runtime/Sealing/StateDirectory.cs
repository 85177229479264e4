using Microsoft.Extensions.Logging;
using Pluggable.Abstractions;
using Pluggable.Linux;

namespace Pluggable.Runtime.Sealing;

/// <summary>
/// Where providers keep their temporary objects during one seal: the directory the operator gave
/// (kept afterwards), or a private one made under the state root and removed with everything in it.
/// </summary>
public sealed class StateDirectory : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private readonly bool owned;

    private StateDirectory(string path, bool owned)
    {
        Path = path;
        this.owned = owned;
    }

    /// <summary>The directory's absolute path.</summary>
    public string Path { get; }

    /// <summary>Uses <paramref name="path"/>, creating it (mode 0700) when it does not exist.</summary>
    public static StateDirectory UseGiven(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        try
        {
            Directory.CreateDirectory(full, OwnerOnly);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new BadInputException($"state directory {full} cannot be created: {error.Message}");
        }

        return new StateDirectory(full, owned: false);
    }

    /// <summary>
    /// Makes a private directory under <paramref name="root"/>; where this user cannot write there (not root),
    /// under the temporary directory instead.
    /// </summary>
    public static StateDirectory CreatePrivate(string root, ILogger logger)
    {
        try
        {
            Directory.CreateDirectory(root, OwnerOnly);
            return new StateDirectory(Files.CreateUniqueDirectory(root, "seal-"), owned: true);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or SealingException)
        {
            logger.LogDebug("cannot use state root {Root} ({Reason}); using the temporary directory", root, error.Message);
            return new StateDirectory(Files.CreateUniqueDirectory(System.IO.Path.GetTempPath(), "exeseal-"), owned: true);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (owned)
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
