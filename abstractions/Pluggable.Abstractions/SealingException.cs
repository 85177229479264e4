namespace Pluggable.Abstractions;

/// <summary>
/// A seal that could not be made, with a sentence an operator can act on and, when a system call failed,
/// its errno.
/// </summary>
public class SealingException : Exception
{
    /// <summary>A failure with <paramref name="message"/> and no errno.</summary>
    public SealingException(string message)
        : base(message)
    {
    }

    /// <summary>A failure with <paramref name="message"/> caused by <paramref name="innerException"/>.</summary>
    public SealingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>A failed system call: <paramref name="message"/> already names the call, the object and the errno.</summary>
    public SealingException(string message, int errno, string errnoName)
        : base(message)
    {
        Errno = errno;
        ErrnoName = errnoName;
    }

    /// <summary>A failure with no cause recorded.</summary>
    public SealingException()
    {
    }

    /// <summary>The errno of the failed system call, or 0.</summary>
    public int Errno { get; }

    /// <summary>The symbolic name of <see cref="Errno"/> (<c>EPERM</c>), or null.</summary>
    public string? ErrnoName { get; }
}
