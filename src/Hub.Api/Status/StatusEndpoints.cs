using Hub.Api.Access;
using JasperFx.Events.Projections;
using Marten;

namespace Hub.Api.Status;

/// <summary>
/// <c>GET /api/status</c>: how far each projection and subscription shard (run by Hub.Projections' daemon) has got
/// against the event store's high-water mark, the highest sequence below which every event is committed.
/// </summary>
public static class StatusEndpoints
{
    public static IEndpointRouteBuilder MapStatusEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/status", GetStatusAsync)
            .RequireAuthorization(ApiPolicies.Read)
            .WithName("GetStatus")
            .WithTags("Status")
            .WithSummary("Progress of every projection and subscription shard against the event high-water mark");
        return endpoints;
    }

    private static async Task<StatusReport> GetStatusAsync(IDocumentStore store, CancellationToken cancellationToken)
    {
        var statistics = await store.Advanced.FetchEventStoreStatistics(token: cancellationToken);
        var progress = await store.Advanced.AllProjectionProgress(token: cancellationToken);
        // No high-water row yet means no daemon has run: nothing is known to be safe to process.
        var highWaterMark = progress.FirstOrDefault(p => p.ShardName == ShardState.HighWaterMark)?.Sequence ?? 0;
        var shards = progress
            .Where(p => p.ShardName != ShardState.HighWaterMark)
            .OrderBy(p => p.ShardName, StringComparer.Ordinal)
            .Select(p => new ShardProgress(p.ShardName, p.Sequence, Math.Max(0, highWaterMark - p.Sequence), p.LastUpdated))
            .ToList();
        return new StatusReport(highWaterMark, statistics.EventSequenceNumber, statistics.EventCount, statistics.StreamCount, shards);
    }
}

/// <param name="HighWaterMark">Every event up to this sequence is committed; shards advance up to it.</param>
/// <param name="LastEventSequence">The last sequence number handed out (committed or still in a transaction).</param>
public sealed record StatusReport(long HighWaterMark, long LastEventSequence, long Events, long Streams, IReadOnlyList<ShardProgress> Shards);

/// <param name="Lag">Events between the shard's position and the high-water mark.</param>
/// <param name="LastUpdated">When the shard's progress row was last written, if the store records it.</param>
public sealed record ShardProgress(string Name, long Sequence, long Lag, DateTimeOffset? LastUpdated);
