using Microsoft.Extensions.Logging;

namespace Pluggable.Host.Output;

/// <summary>
/// The logger factory of a command: every logger writes to stderr. Registered instead of AddLogging, whose
/// LoggerFactory, options and filter rules load two more assemblies and cost ~10 ms of every cold start for
/// one provider and one minimum level, which this applies itself.
/// </summary>
public sealed class StderrLoggerFactory(LogLevel minimum) : ILoggerFactory
{
    private readonly StderrLoggerProvider provider = new(minimum);

    /// <inheritdoc/>
    public ILogger CreateLogger(string categoryName) => provider.CreateLogger(categoryName);

    /// <inheritdoc/>
    public void AddProvider(ILoggerProvider provider) =>
        throw new NotSupportedException("exeseal logs to stderr only");

    /// <inheritdoc/>
    public void Dispose() => provider.Dispose();
}

/// <summary>
/// Writes log lines to stderr synchronously. The console logger writes from a background queue, and
/// <c>exec</c> replaces the process: queued lines would be lost.
/// </summary>
public sealed class StderrLoggerProvider(LogLevel minimum) : ILoggerProvider
{
    /// <inheritdoc/>
    public ILogger CreateLogger(string categoryName) => new StderrLogger(minimum);

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private sealed class StderrLogger(LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Console.Error.WriteLine($"exeseal: {Level(logLevel)}: {formatter(state, exception)}");
            }
        }

        private static string Level(LogLevel level) => level switch
        {
            LogLevel.Trace => "trace",
            LogLevel.Debug => "debug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warning",
            _ => "error",
        };
    }
}
