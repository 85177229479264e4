using System.CommandLine;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pluggable.Host.Output;
using Pluggable.Runtime;
using Pluggable.Runtime.Configuration;

namespace Pluggable.Host.Cli;

/// <summary>One command's services, built from its command line, and where its output goes.</summary>
internal sealed class Session : IDisposable
{
    private readonly ServiceProvider services;

    private Session(ServiceProvider services, bool json)
    {
        this.services = services;
        Json = json;
        Logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("exeseal");
    }

    public ILogger Logger { get; }

    public bool Json { get; }

    public static bool WantsJson(ParseResult parse) => parse.GetValue(GlobalOptions.Format) == "json";

    public T Get<T>()
        where T : notnull => services.GetRequiredService<T>();

    public static Session Start(ParseResult parse)
    {
        var level = parse.GetValue(GlobalOptions.LogLevel) switch
        {
            "trace" => LogLevel.Trace,
            "debug" => LogLevel.Debug,
            "info" => LogLevel.Information,
            "error" => LogLevel.Error,
            _ => LogLevel.Warning,
        };
        var configuration = ConfigurationLoader.Load(parse.GetValue(GlobalOptions.Config));
        var options = RuntimeOptions.From(configuration, parse.GetValue(GlobalOptions.Plugins) ?? []);
        var services = new ServiceCollection()
            .AddSingleton<ILoggerFactory>(new StderrLoggerFactory(level))
            .AddSingleton(typeof(ILogger<>), typeof(Logger<>))
            .AddExesealRuntime(options, configuration)
            .BuildServiceProvider();
        return new Session(services, WantsJson(parse));
    }

    public static void WriteJson<T>(T report, JsonTypeInfo<T> type) =>
        Console.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize(report, type));

    public void Dispose() => services.Dispose();
}
