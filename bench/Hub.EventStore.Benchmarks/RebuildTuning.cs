using System.Globalization;
using JasperFx.Events.Projections;
using Marten;

namespace Hub.EventStore.Benchmarks;

/// <summary>
/// The settings a projection rebuild runs with, written as <c>prepare=100</c> or <c>batch=2000,flush=1000000</c>.
/// Per projection: <c>batch=N</c> <c>Options.BatchSize</c> (events per page; Marten's default 500), <c>flush=N</c>
/// <c>Options.RebuildFlushThreshold</c> (rebuild only: the latest document per stream stays in memory and is written
/// once per N dirty documents; 0 = every page), <c>cache=N</c> <c>Options.CacheLimitPerTenant</c>. Store-wide:
/// <c>bulkcopy</c> <c>Projections.RebuildWithBulkCopy</c>, <c>optimized</c> <c>Events.UseOptimizedProjectionRebuilds</c>,
/// <c>updatebatch=N</c> <c>UpdateBatchSize</c> (statements per round trip). Connection: <c>prepare=N</c> Npgsql's
/// <c>Max Auto Prepare</c> on the store's data source, <c>customplans</c> PostgreSQL's <c>plan_cache_mode=force_custom_plan</c>
/// for its sessions (prepared statements keep being planned for their parameters, never with a generic plan).
/// </summary>
internal sealed record RebuildTuning(int BatchSize, int FlushThreshold, int CacheLimit, bool BulkCopy, bool OptimizedRebuilds, int UpdateBatchSize, int MaxAutoPrepare, bool CustomPlans)
{
    public static RebuildTuning MartenDefaults { get; } = new(500, 0, 0, false, false, 500, 0, false);

    public bool IsDefault => this == MartenDefaults;

    public static RebuildTuning Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var tuning = MartenDefaults;
        foreach (var part in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (key, value) = part.Split('=') is [var k, var v] ? (k, int.Parse(v, CultureInfo.InvariantCulture)) : (part, 0);
            tuning = key switch
            {
                "batch" => tuning with { BatchSize = value },
                "flush" => tuning with { FlushThreshold = value },
                "cache" => tuning with { CacheLimit = value },
                "bulkcopy" => tuning with { BulkCopy = true },
                "optimized" => tuning with { OptimizedRebuilds = true },
                "updatebatch" => tuning with { UpdateBatchSize = value },
                "prepare" => tuning with { MaxAutoPrepare = value },
                "customplans" => tuning with { CustomPlans = true },
                _ => throw new ArgumentException($"Unknown rebuild setting '{part}' in '{spec}'.", nameof(spec)),
            };
        }

        return tuning;
    }

    public void Apply(StoreOptions options, ProjectionBase projection)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(projection);
        projection.Options.BatchSize = BatchSize;
        projection.Options.MaximumHopperSize = Math.Max(projection.Options.MaximumHopperSize, BatchSize * 10);
        projection.Options.RebuildFlushThreshold = FlushThreshold;
        projection.Options.CacheLimitPerTenant = CacheLimit;
        options.Projections.RebuildWithBulkCopy = BulkCopy;
        options.Events.UseOptimizedProjectionRebuilds = OptimizedRebuilds;
        options.UpdateBatchSize = UpdateBatchSize;
    }

    public override string ToString() => IsDefault
        ? "Marten defaults"
        : string.Join(", ", new[]
        {
            BatchSize != 500 ? $"BatchSize {BatchSize:N0}" : null,
            FlushThreshold > 0 ? $"RebuildFlushThreshold {FlushThreshold:N0}" : null,
            CacheLimit > 0 ? $"CacheLimitPerTenant {CacheLimit:N0}" : null,
            BulkCopy ? "RebuildWithBulkCopy" : null,
            OptimizedRebuilds ? "UseOptimizedProjectionRebuilds" : null,
            UpdateBatchSize != 500 ? $"UpdateBatchSize {UpdateBatchSize:N0}" : null,
            MaxAutoPrepare > 0 ? $"Max Auto Prepare {MaxAutoPrepare}" : null,
            CustomPlans ? "plan_cache_mode=force_custom_plan" : null,
        }.OfType<string>());
}
