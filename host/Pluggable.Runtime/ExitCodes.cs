namespace Pluggable.Runtime;

/// <summary>The exit codes of exeseal, as documented in the README and the operator's guide.</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>No provider of the chain produced a sealed object that passed verification.</summary>
    public const int SealingFailed = 1;

    /// <summary><c>verify</c>: the executable is not protected against being overwritten.</summary>
    public const int NotProtected = 1;

    /// <summary>The command line, a file, a bundle or the configuration is not acceptable.</summary>
    public const int BadInput = 2;

    /// <summary>The operator's policy or plugin trust rules refused the request.</summary>
    public const int Refused = 3;
}

/// <summary>A failure that ends the command with a sentence on stderr and a documented exit code.</summary>
public class ExesealException : Exception
{
    /// <summary>A failure with <paramref name="message"/> that exits with <paramref name="exitCode"/>.</summary>
    public ExesealException(string message, int exitCode)
        : base(message)
    {
        ExitCode = exitCode;
    }

    /// <summary>The exit code the command ends with.</summary>
    public int ExitCode { get; }
}

/// <summary>Input that cannot be used: exit 2.</summary>
public sealed class BadInputException(string message) : ExesealException(message, ExitCodes.BadInput);

/// <summary>A request that policy or trust refuses: exit 3.</summary>
public sealed class RefusedException(string message) : ExesealException(message, ExitCodes.Refused);
