using Hub.Api.Access;
using Hub.EventStore;
using JasperFx.Events.Projections;
using Marten;
using Npgsql;

namespace Hub.Api.Status;

/// <summary>
/// <c>GET /api/status</c>: how far each projection and subscription shard (run by Hub.Projections' daemon) has got,
/// against the high-water mark (the sequence below which every event is committed, as the daemon last saw it) and
/// against the last committed event (which shows work waiting even while no daemon runs to move the mark).
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

    private static async Task<StatusReport> GetStatusAsync(IDocumentStore store, NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        var progress = await store.Advanced.AllProjectionProgress(token: cancellationToken);
        // max(seq_id) reads the primary key's last entry; count(*) would scan the whole log.
        await using var command = database.CreateCommand($"select coalesce(max(seq_id), 0) from {EventStoreSetup.SchemaName}.mt_events");
        var lastEvent = (long)(await command.ExecuteScalarAsync(cancellationToken))!;

        // No high-water row yet means no daemon has run: nothing is known to be safe to process.
        var highWaterMark = progress.FirstOrDefault(p => p.ShardName == ShardState.HighWaterMark)?.Sequence ?? 0;
        var shards = progress
            .Where(p => p.ShardName != ShardState.HighWaterMark)
            .OrderBy(p => p.ShardName, StringComparer.Ordinal)
            .Select(p => new ShardProgress(p.ShardName, p.Sequence, Math.Max(0, highWaterMark - p.Sequence), Math.Max(0, lastEvent - p.Sequence), p.LastUpdated))
            .ToList();
        return new StatusReport(highWaterMark, lastEvent, shards);
    }
}

/// <param name="HighWaterMark">Every event up to this sequence is committed; shards advance up to it.</param>
/// <param name="LastEventSequence">The highest committed event sequence.</param>
public sealed record StatusReport(long HighWaterMark, long LastEventSequence, IReadOnlyList<ShardProgress> Shards);

/// <param name="Lag">Events between the shard's position and the high-water mark.</param>
/// <param name="Behind">Events between the shard's position and the last committed event.</param>
/// <param name="LastUpdated">When the shard's progress row was last written, if the store records it.</param>
public sealed record ShardProgress(string Name, long Sequence, long Lag, long Behind, DateTimeOffset? LastUpdated);
