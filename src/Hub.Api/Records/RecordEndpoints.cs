using System.Text.Json;
using Hub.Api.Access;
using Hub.EventStore;
using Npgsql;

namespace Hub.Api.Records;

/// <summary>
/// <c>GET /api/records/{streamKey}</c>: a record's current state and the events that made it, oldest first, to answer
/// "why does this record hold this value". Read as stored JSON: Hub.Api does not reference the host that owns the
/// record types (Hub.Projections), and an inspection tool should show what is in the store, whatever its shape.
/// </summary>
public static class RecordEndpoints
{
    /// <summary>Events per response; ask again with <c>fromVersion</c> = <see cref="RecordHistory.NextFromVersion"/> for more.</summary>
    public const int PageSize = 500;

    // Marten's table for Hub.Projections' SourceRecord document (mt_doc_ + the lower-cased type name).
    private const string StateTable = EventStoreSetup.SchemaName + ".mt_doc_sourcerecord";
    private const string EventsTable = EventStoreSetup.SchemaName + ".mt_events";

    public static IEndpointRouteBuilder MapRecordEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/records/{streamKey}", GetRecordAsync)
            .RequireAuthorization(ApiPolicies.Read)
            .WithName("GetRecord")
            .WithTags("Records")
            .WithSummary("A record's current state and its event history")
            .WithDescription("streamKey is {source}-{resource}-{id}, e.g. propstreet-contact-123. Events come oldest first, "
                + $"at most {PageSize} per response, from fromVersion (default 1).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return endpoints;
    }

    private static async Task<IResult> GetRecordAsync(string streamKey, NpgsqlDataSource database, CancellationToken cancellationToken, long fromVersion = 1)
    {
        if (fromVersion < 1)
            return TypedResults.Problem(title: "Invalid fromVersion", detail: "fromVersion starts at 1, the stream's first event.", statusCode: StatusCodes.Status400BadRequest);

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        JsonElement? state = null;
        await using (var command = new NpgsqlCommand($"select data::text from {StateTable} where id = $1", connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = streamKey });
            if (await command.ExecuteScalarAsync(cancellationToken) is string json)
                state = Parse(json);
        }

        var events = new List<RecordEvent>();
        await using (var command = new NpgsqlCommand(
            $"""
            select seq_id, version, type, timestamp, id, correlation_id, causation_id, data::text
            from {EventsTable} where stream_id = $1 and version >= $2 order by version limit $3
            """, connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = streamKey });
            command.Parameters.Add(new NpgsqlParameter { Value = fromVersion });
            command.Parameters.Add(new NpgsqlParameter { Value = PageSize + 1 });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                events.Add(new RecordEvent(
                    reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3), reader.GetGuid(4),
                    reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6), Parse(reader.GetString(7))));
            }
        }

        if (state is null && events.Count == 0 && fromVersion == 1)
            return TypedResults.Problem(title: "Record not found", detail: $"No record stream has the key '{streamKey}'.", statusCode: StatusCodes.Status404NotFound);

        long? next = events.Count > PageSize ? events[PageSize].Version : null;
        return TypedResults.Ok(new RecordHistory(streamKey, state, events.Take(PageSize).ToList(), next));
    }

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}

/// <param name="State">The record as the hub holds it now (source, connection, fields, version, deletion), or null if none was kept.</param>
/// <param name="Events">Stored events of the stream, oldest first.</param>
/// <param name="NextFromVersion">Set when more events follow: pass it as <c>fromVersion</c>.</param>
public sealed record RecordHistory(string StreamKey, JsonElement? State, IReadOnlyList<RecordEvent> Events, long? NextFromVersion);

/// <param name="Sequence">Position in the whole log (what shards' progress counts).</param>
/// <param name="Type">The stored event name, e.g. <c>record.updated.v1</c>.</param>
public sealed record RecordEvent(long Sequence, long Version, string Type, DateTimeOffset Timestamp, Guid Id, string? CorrelationId, string? CausationId, JsonElement Data);
