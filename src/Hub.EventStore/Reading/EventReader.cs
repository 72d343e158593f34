using Hub.EventStore.Types;
using Npgsql;
using NpgsqlTypes;

namespace Hub.EventStore.Reading;

/// <summary>Reads streams and the global log.</summary>
public sealed class EventReader(NpgsqlDataSource dataSource, EventTypeMap types)
{
    private const string Columns = "tx_id, position, stream_id, version, event_id, type, data, metadata, recorded_at";

    // Only transactions below the snapshot's xmin are finished, so nothing can still commit before the last row
    // returned here in (tx_id, position) order; aborted rows are never visible (ADR 0002).
    private const string ReadAllSql =
        $"SELECT {Columns} FROM event_store.events " +
        "WHERE (tx_id, position) > ($1, $2) AND tx_id < pg_snapshot_xmin(pg_current_snapshot()) " +
        "ORDER BY tx_id, position LIMIT $3";

    /// <summary>Reads up to <paramref name="maxCount"/> events of the global log after <paramref name="after"/>, in commit-safe order.</summary>
    public async Task<IReadOnlyList<RecordedEvent>> ReadAllAsync(LogPosition after, int maxCount, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await ReadAllAsync(connection, after, maxCount, cancellationToken);
    }

    internal async Task<IReadOnlyList<RecordedEvent>> ReadAllAsync(
        NpgsqlConnection connection, LogPosition after, int maxCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        await using var command = new NpgsqlCommand(ReadAllSql, connection);
        command.Parameters.Add(new NpgsqlParameter<ulong> { TypedValue = after.TransactionId, NpgsqlDbType = NpgsqlDbType.Xid8 });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after.Position });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = maxCount });
        return await ReadEventsAsync(command, maxCount, cancellationToken);
    }

    /// <summary>Reads one stream forward from <paramref name="fromVersion"/> (inclusive; versions start at 1).</summary>
    public async Task<IReadOnlyList<RecordedEvent>> ReadStreamAsync(
        string streamId, long fromVersion = 1, int maxCount = 1000, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT {Columns} FROM event_store.events WHERE stream_id = $1 AND version >= $2 ORDER BY version LIMIT $3");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = streamId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = fromVersion });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = maxCount });
        return await ReadEventsAsync(command, maxCount, cancellationToken);
    }

    /// <summary>The newest event of a stream, or null; what an ingest decision needs to drop stale observations.</summary>
    public async Task<RecordedEvent?> ReadLastEventAsync(string streamId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT {Columns} FROM event_store.events WHERE stream_id = $1 ORDER BY version DESC LIMIT 1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = streamId });
        var events = await ReadEventsAsync(command, 1, cancellationToken);
        return events.Count == 0 ? null : events[0];
    }

    /// <summary>The stream's version and timestamps, or null if it has no events.</summary>
    public async Task<StreamState?> GetStreamAsync(string streamId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT id, type, version, created_at, updated_at FROM event_store.streams WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = streamId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        return new StreamState(
            reader.GetString(0), reader.GetString(1), reader.GetInt64(2),
            reader.GetFieldValue<DateTimeOffset>(3), reader.GetFieldValue<DateTimeOffset>(4));
    }

    private async Task<IReadOnlyList<RecordedEvent>> ReadEventsAsync(NpgsqlCommand command, int maxCount, CancellationToken cancellationToken)
    {
        var events = new List<RecordedEvent>(Math.Min(maxCount, 4096));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            // UTF-8 bytes straight into System.Text.Json: no detour through UTF-16 strings on the catch-up hot path.
            var (typeName, data) = types.Deserialize(reader.GetString(5), reader.GetFieldValue<byte[]>(6));
            events.Add(new RecordedEvent(
                new LogPosition(reader.GetFieldValue<ulong>(0), reader.GetInt64(1)),
                reader.GetString(2),
                reader.GetInt64(3),
                reader.GetGuid(4),
                typeName,
                data,
                MetadataJson.Deserialize(reader.GetFieldValue<byte[]>(7)),
                reader.GetFieldValue<DateTimeOffset>(8)));
        }

        return events;
    }
}
