using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// In process: the generated out-of-process project would inherit this repository's analyzers and
// warnings-as-errors, and a short job is the point (minutes, not an hour). Ten iterations give a median that
// survives a second build running on the same two cores; compare ratios, measured in the same run, not times.
var job = Job.Default
    .WithToolchain(InProcessEmitToolchain.Instance)
    .WithLaunchCount(1)
    .WithWarmupCount(3)
    .WithIterationCount(10)
    .WithId("short");
var config = DefaultConfig.Instance
    .AddJob(job)
    .AddColumn(StatisticColumn.Median, StatisticColumn.P95)
    .WithSummaryStyle(SummaryStyle.Default.WithRatioStyle(RatioStyle.Trend));
BenchmarkSwitcher.FromAssembly(typeof(Pluggable.Benchmarks.SealBenchmarks).Assembly).Run(args, config);
