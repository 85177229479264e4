using Pluggable.Runtime;
using Pluggable.Runtime.Service;

namespace Pluggable.RuntimeClient;

/// <summary>The command line of exeseal-runtime: its own options, then <c>--</c> and the runtime's arguments.</summary>
internal sealed record ClientArguments(string Runtime, string Socket, string? Exeseal, IReadOnlyList<string> RuntimeArguments, bool Help)
{
    public const string Usage = $"""
        Usage: exeseal-runtime [--socket PATH] [--exeseal PATH] --runtime RUNTIME -- ARGS...

        Seal the container runtime RUNTIME (runc, crun: a path, or a name looked up in PATH) and run it with ARGS
        unchanged, as `exeseal runtime` does, but fast: exeseald (`exeseal daemon`) seals it, so no .NET runtime
        starts per container. For create and run, the bundle's org.opencontainers.runc.clone-self-exe annotation
        chooses the protection; every other command uses the default chain. When no exeseald answers,
        `exeseal runtime` seals it instead: slower, never unprotected.

          --runtime RUNTIME  the runtime to seal and run (required)
          --socket PATH      where exeseald listens (default {SealServiceSocket.DefaultPath})
          --exeseal PATH     the exeseal CLI to fall back to (default: exeseal beside this program)
          -h, --help         show this help

        Exit codes: those of RUNTIME once it runs; before that 1 sealing failed, 2 bad usage or input,
        3 refused by policy or plugin trust. Nothing runs unsealed.
        Example: exeseal-runtime --runtime /usr/bin/runc -- run --bundle /containers/web web-1
        """;

    public static ClientArguments Parse(IReadOnlyList<string> arguments)
    {
        string? runtime = null, exeseal = null, socket = null;
        var index = 0;
        for (; index < arguments.Count && arguments[index] != "--"; index++)
        {
            var (name, inline) = arguments[index].Split('=', 2) is [var n, var v] ? (n, v) : (arguments[index], null);
            if (name is "-h" or "--help")
            {
                return new ClientArguments("", "", null, [], Help: true);
            }

            string Value() => inline ?? (++index < arguments.Count && arguments[index] != "--"
                ? arguments[index]
                : throw new BadInputException($"{name} needs a value"));

            switch (name)
            {
                case "--runtime": runtime = Value(); break;
                case "--socket": socket = Value(); break;
                case "--exeseal": exeseal = Value(); break;
                default: throw new BadInputException($"unknown option \"{arguments[index]}\" (known: --runtime, --socket, --exeseal, --help); the runtime's own arguments go after --");
            }
        }

        if (string.IsNullOrEmpty(runtime))
        {
            throw new BadInputException("--runtime is required: name the runtime to seal and run, as in: exeseal-runtime --runtime runc -- run --bundle DIR ID");
        }

        return new ClientArguments(runtime, socket ?? SealServiceSocket.DefaultPath, exeseal, index < arguments.Count ? arguments.Skip(index + 1).ToList() : [], Help: false);
    }
}
