using System.Runtime.InteropServices;
using Pluggable.Abstractions;

namespace Pluggable.Linux;

/// <summary>
/// The one place where a failed system call becomes an exception. Callers describe what they were doing and,
/// where the kernel's answer has a known cause, what the operator can do about it.
/// </summary>
public static class SystemCallFailure
{
    /// <summary>The errno of the last P/Invoke made with <c>SetLastError = true</c> on this thread.</summary>
    public static int LastErrno => Marshal.GetLastPInvokeError();

    /// <summary>
    /// An exception for <paramref name="errno"/>: "<paramref name="action"/>: Permission denied (EACCES)",
    /// followed by the hint that <paramref name="hint"/> gives for that errno, if any.
    /// </summary>
    public static SealingException Create(int errno, string action, Func<int, string?>? hint = null)
    {
        var text = $"{action}: {Marshal.GetPInvokeErrorMessage(errno)} ({Errno.NameOf(errno)})";
        var advice = hint?.Invoke(errno);
        return new SealingException(advice is null ? text : $"{text}; {advice}", errno, Errno.NameOf(errno));
    }

    /// <summary>An exception for the errno of the last P/Invoke on this thread.</summary>
    public static SealingException FromLastError(string action, Func<int, string?>? hint = null) =>
        Create(LastErrno, action, hint);
}
