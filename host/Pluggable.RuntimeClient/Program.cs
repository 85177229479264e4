using Pluggable.Abstractions;
using Pluggable.RuntimeClient;
using Pluggable.Runtime;

try
{
    var arguments = ClientArguments.Parse(args);
    if (arguments.Help)
    {
        Console.Out.Write(ClientArguments.Usage);
        return ExitCodes.Success;
    }

    SealedRuntime.Become(arguments);
    return ExitCodes.SealingFailed;
}
catch (ExesealException error)
{
    Console.Error.WriteLine($"exeseal-runtime: {error.Message}");
    return error.ExitCode;
}
catch (SealingException error)
{
    Console.Error.WriteLine($"exeseal-runtime: {error.Message}; nothing was executed");
    return ExitCodes.SealingFailed;
}
