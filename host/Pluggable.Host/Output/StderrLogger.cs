using Microsoft.Extensions.Logging;

namespace Pluggable.Host.Output;

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
