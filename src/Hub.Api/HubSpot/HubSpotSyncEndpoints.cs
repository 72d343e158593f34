using Hub.Api.Access;
using Hub.Crm.HubSpot;
using Hub.EventStore;
using Hub.Sync.HubSpot;
using Hub.Sync.Records;
using Marten;
using Npgsql;

namespace Hub.Api.HubSpot;

/// <summary>
/// <c>GET /api/hubspot/sync</c>: how far the sync to one HubSpot connection has got, per resource — live records in
/// the sources, records the HubSpot read model has projected, those with a HubSpot counterpart and of these how many
/// HubSpot holds as mapped (in sync), how many the push still has to send (pending) and how many it parked — plus the
/// parked records with their reasons, a page at a time, and where the read model and the push stand in the log.
/// Counted in PostgreSQL over the documents' JSON, so polling it every second stays cheap with 100,000 records.
/// </summary>
public static class HubSpotSyncEndpoints
{
    public const int MaxParkedPerPage = 1_000;

    public static IEndpointRouteBuilder MapHubSpotSyncEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/hubspot/sync", GetSyncAsync)
            .RequireAuthorization(ApiPolicies.Read)
            .WithName("GetHubSpotSync")
            .WithTags("HubSpot")
            .WithSummary("Per resource: records in the sources, in sync with HubSpot, pending, parked; the parked records with their reasons")
            .WithDescription("connection: a HubSpot:Connections name (may be left out when only one is configured). Parked records "
                + $"come ordered by record key, parkedLimit per page (default 100, at most {MaxParkedPerPage:N0}); pass nextParkedAfter as parkedAfter for the next page.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return endpoints;
    }

    private static async Task<IResult> GetSyncAsync(
        HubSpotClients clients, IDocumentStore store, NpgsqlDataSource database, CancellationToken cancellationToken,
        string? connection = null, string? parkedAfter = null, int parkedLimit = 100)
    {
        if (parkedLimit is < 0 or > MaxParkedPerPage)
            return TypedResults.Problem(title: "Invalid parkedLimit", detail: $"parkedLimit is between 0 and {MaxParkedPerPage}.", statusCode: StatusCodes.Status400BadRequest);
        var (client, problem) = HubSpotConnectionQuery.Resolve(clients, connection);
        if (client is null)
            return problem!;

        var sources = Table<SourceRecord>(store);
        var readModel = Table<HubSpotRecord>(store);
        // A record is in sync when the hash pushed to this connection is the one the mapping gives now, parked when
        // the push gave up on that very hash (HubSpotRecord.InSyncOn, PendingOn); records without a target need nothing.
        // HubSpot's own records (observed on two-way connections) are sources of changes, never pushed: left out.
        var state = $"""
            with r as (
                select data->'source'->>'source' || ' ' || (data->'source'->>'resource') as resource,
                       data->>'hash' is not null as mapped,
                       data->'connections'->@connection->>'hash' = data->>'hash' as in_sync,
                       data->'connections'->@connection->'parked'->>'hash' = data->>'hash' as parked
                from {readModel} where data->'source'->>'source' <> 'hubspot')
            """;
        await using var connectionToDb = await database.OpenConnectionAsync(cancellationToken);
        var resources = new SortedDictionary<string, HubSpotResourceSync>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand(
            $"""
            select data->>'source' || ' ' || (data->>'resource'), count(*) filter (where data->>'deletedUtc' is null)
            from {sources} where data->>'source' <> 'hubspot' group by 1
            """, connectionToDb))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                resources[reader.GetString(0)] = new HubSpotResourceSync(reader.GetString(0), reader.GetInt64(1), 0, 0, 0, 0, 0);
        }

        await using (var command = new NpgsqlCommand(
            $"""
            {state}
            select resource, count(*), count(*) filter (where mapped),
                   count(*) filter (where mapped and in_sync),
                   count(*) filter (where mapped and not coalesce(in_sync, false) and coalesce(parked, false))
            from r group by resource
            """, connectionToDb))
        {
            command.Parameters.AddWithValue("connection", client.Name);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var (resource, projected, mapped, inSync, parked) = (reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
                var records = resources.TryGetValue(resource, out var seen) ? seen.Records : 0;
                resources[resource] = new HubSpotResourceSync(resource, records, projected, mapped, inSync, mapped - inSync - parked, parked);
            }
        }

        // One more than asked, to know whether another page follows.
        var parkedRecords = parkedLimit == 0 ? [] : await ParkedAsync(connectionToDb, readModel, client.Name, parkedAfter, parkedLimit + 1, cancellationToken);

        await using var last = new NpgsqlCommand($"select coalesce(max(seq_id), 0) from {EventStoreSetup.SchemaName}.mt_events", connectionToDb);
        var lastEvent = (long)(await last.ExecuteScalarAsync(cancellationToken))!;
        var progress = await store.Advanced.AllProjectionProgress(token: cancellationToken);
        long? Shard(string name) => progress.FirstOrDefault(p => p.ShardName.StartsWith(name + ":", StringComparison.Ordinal))?.Sequence;

        return TypedResults.Ok(new HubSpotSyncStatus(
            client.Name, lastEvent, Shard(HubSpotReadModel.ProjectionName) ?? 0, Shard(HubSpotReadModel.PushSubscriptionName(client.Name)) ?? 0,
            [.. resources.Values], [.. parkedRecords.Take(parkedLimit)], parkedRecords.Count > parkedLimit ? parkedRecords[parkedLimit - 1].Record : null));
    }

    /// <summary>Records parked at their current content on <paramref name="connection"/>, by key, after <paramref name="after"/>.</summary>
    private static async Task<List<HubSpotParkedRecord>> ParkedAsync(
        NpgsqlConnection database, string readModel, string connection, string? after, int limit, CancellationToken cancellationToken)
    {
        var parked = new List<HubSpotParkedRecord>();
        await using var command = new NpgsqlCommand(
            $"""
            select id, data->'source'->>'source' || ' ' || (data->'source'->>'resource'), p->>'reason', (p->>'attempts')::int, (p->>'parkedUtc')::timestamptz
            from {readModel}, lateral (select data->'connections'->@connection->'parked' as p) parking
            where data->>'hash' is not null and p->>'hash' = data->>'hash'
              and (data->'connections'->@connection->>'hash') is distinct from (data->>'hash')
              and (@after::text is null or id > @after)
            order by id limit @limit
            """, database);
        command.Parameters.AddWithValue("connection", connection);
        command.Parameters.Add(new NpgsqlParameter<string?>("after", after) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            parked.Add(new HubSpotParkedRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3), reader.GetFieldValue<DateTimeOffset>(4)));
        return parked;
    }

    private static string Table<T>(IDocumentStore store) => store.Options.FindOrResolveDocumentType(typeof(T)).TableName.QualifiedName;
}

/// <param name="LastEventSequence">The highest committed event in the log.</param>
/// <param name="ReadModelSequence">How far the HubSpot read model has projected the log.</param>
/// <param name="PushSequence">How far the push to this connection has got through the log.</param>
/// <param name="NextParkedAfter">Set when more parked records follow: pass it as <c>parkedAfter</c>.</param>
public sealed record HubSpotSyncStatus(
    string Connection, long LastEventSequence, long ReadModelSequence, long PushSequence,
    IReadOnlyList<HubSpotResourceSync> Resources, IReadOnlyList<HubSpotParkedRecord> Parked, string? NextParkedAfter);

/// <param name="Resource"><c>{source} {resource}</c>, e.g. <c>propstreet contact</c>, as in the parity report.</param>
/// <param name="Records">Live records of this resource in the sources (deleted ones not counted).</param>
/// <param name="Projected">Records the HubSpot read model holds (live and deleted).</param>
/// <param name="Mapped">Of those, records with a HubSpot counterpart (to upsert, or to archive once deleted).</param>
/// <param name="InSync">HubSpot holds what the mapping gives now.</param>
/// <param name="Pending">The push has still to send them.</param>
/// <param name="Parked">The push gave up on their current content; see the parked list for why.</param>
public sealed record HubSpotResourceSync(string Resource, long Records, long Projected, long Mapped, long InSync, long Pending, long Parked);

/// <param name="Record">The record's stream key, e.g. <c>propstreet-contact-123</c> (<c>GET /api/records/{key}</c> shows its history).</param>
public sealed record HubSpotParkedRecord(string Record, string Resource, string Reason, int Attempts, DateTimeOffset ParkedUtc);
