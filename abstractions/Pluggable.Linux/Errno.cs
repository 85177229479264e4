namespace Pluggable.Linux;

/// <summary>The errno values exeseal reacts to. Linux uses the same numbers on every architecture it runs on.</summary>
public static class Errno
{
#pragma warning disable CS1591 // The names are the documentation: errno(3).
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int ENOEXEC = 8;
    public const int EBADF = 9;
    public const int EAGAIN = 11;
    public const int ENOMEM = 12;
    public const int EACCES = 13;
    public const int EBUSY = 16;
    public const int EEXIST = 17;
    public const int EXDEV = 18;
    public const int ENODEV = 19;
    public const int ENOTDIR = 20;
    public const int EISDIR = 21;
    public const int EINVAL = 22;
    public const int ETXTBSY = 26;
    public const int EFBIG = 27;
    public const int ENOSPC = 28;
    public const int EROFS = 30;
    public const int ENOSYS = 38;
    public const int ELOOP = 40;
    public const int ENOTSOCK = 88;
    public const int EOPNOTSUPP = 95;
    public const int EADDRINUSE = 98;
    public const int ECONNABORTED = 103;
    public const int ECONNRESET = 104;
    public const int ECONNREFUSED = 111;
#pragma warning restore CS1591

    private static readonly Dictionary<int, string> Names = new()
    {
        [EPERM] = "EPERM", [ENOENT] = "ENOENT", [EINTR] = "EINTR", [ENOEXEC] = "ENOEXEC", [EBADF] = "EBADF",
        [EAGAIN] = "EAGAIN", [ENOMEM] = "ENOMEM", [EACCES] = "EACCES", [EBUSY] = "EBUSY", [EEXIST] = "EEXIST",
        [EXDEV] = "EXDEV", [ENODEV] = "ENODEV", [ENOTDIR] = "ENOTDIR", [EISDIR] = "EISDIR", [EINVAL] = "EINVAL",
        [ETXTBSY] = "ETXTBSY", [EFBIG] = "EFBIG", [ENOSPC] = "ENOSPC", [EROFS] = "EROFS", [ENOSYS] = "ENOSYS",
        [ELOOP] = "ELOOP", [ENOTSOCK] = "ENOTSOCK", [EOPNOTSUPP] = "EOPNOTSUPP", [EADDRINUSE] = "EADDRINUSE",
        [ECONNABORTED] = "ECONNABORTED", [ECONNRESET] = "ECONNRESET", [ECONNREFUSED] = "ECONNREFUSED",
    };

    /// <summary>The symbolic name of <paramref name="errno"/> (<c>EPERM</c>), or <c>errno N</c> for one exeseal does not name.</summary>
    public static string NameOf(int errno) => Names.TryGetValue(errno, out var name) ? name : $"errno {errno}";
}
