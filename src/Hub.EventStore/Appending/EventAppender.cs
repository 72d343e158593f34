using System.Globalization;
using Hub.EventStore.Types;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Hub.EventStore.Appending;

/// <summary>
/// Appends events to streams through the set-based <c>event_store.append</c> function: one round trip per call,
/// whether one stream or a page of hundreds. Duplicate event ids are skipped by the database (ADR 0003).
/// </summary>
public sealed class EventAppender(NpgsqlDataSource dataSource, EventTypeMap types, TimeProvider time, ILogger<EventAppender> logger)
{
    private const int MaxAttempts = 3;
    private const string WrongExpectedVersionPrefix = "hub:wrong_expected_version:";

    public async Task<AppendResult> AppendAsync(
        string streamId, string streamType, ExpectedVersion expected, IReadOnlyList<EventData> events, CancellationToken cancellationToken = default)
    {
        var results = await AppendBatchAsync([new StreamAppend(streamId, streamType, expected, events)], cancellationToken);
        return results[0];
    }

    /// <summary>Appends to many streams in one transaction: all or nothing.</summary>
    public async Task<IReadOnlyList<AppendResult>> AppendBatchAsync(IReadOnlyList<StreamAppend> appends, CancellationToken cancellationToken = default)
    {
        var command = Prepare(appends);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                return await ExecuteAsync(connection, command, cancellationToken);
            }
            catch (PostgresException ex) when (attempt < MaxAttempts && IsRetryable(ex))
            {
                // Same event id raced into a different stream, or two batches locked streams in different orders:
                // the next attempt sees the committed rows and skips or waits accordingly.
                logger.LogDebug(ex, "Append attempt {Attempt} hit {SqlState}; retrying", attempt, ex.SqlState);
            }
        }
    }

    /// <summary>
    /// Appends inside the caller's transaction, e.g. together with a checkpoint. A wrong expected version aborts
    /// that transaction, as any failed statement does in PostgreSQL.
    /// </summary>
    public Task<IReadOnlyList<AppendResult>> AppendBatchAsync(
        NpgsqlTransaction transaction, IReadOnlyList<StreamAppend> appends, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return ExecuteAsync(transaction.Connection!, Prepare(appends), cancellationToken);
    }

    private PreparedAppend Prepare(IReadOnlyList<StreamAppend> appends)
    {
        ArgumentNullException.ThrowIfNull(appends);
        var eventCount = appends.Sum(a => a.Events.Count);
        var prepared = new PreparedAppend(appends.Count, eventCount, time.GetUtcNow());
        var streamIds = new HashSet<string>(StringComparer.Ordinal);
        var eventIds = new HashSet<Guid>();
        for (var s = 0; s < appends.Count; s++)
        {
            var append = appends[s];
            if (!streamIds.Add(append.StreamId))
                throw new ArgumentException($"Stream '{append.StreamId}' appears twice in one batch; merge its events.", nameof(appends));

            prepared.StreamIds[s] = append.StreamId;
            prepared.StreamTypes[s] = append.StreamType;
            prepared.Expected[s] = append.ExpectedVersion.Value;
            foreach (var e in append.Events)
            {
                if (!eventIds.Add(e.EventId))
                    throw new ArgumentException($"Event id {e.EventId} appears twice in one append.", nameof(appends));

                var i = prepared.Count++;
                prepared.EventStream[i] = s + 1;
                prepared.EventIds[i] = e.EventId;
                prepared.EventTypes[i] = types.TypeNameOf(e.Data.GetType());
                prepared.EventData[i] = types.Serialize(e.Data);
                prepared.EventMetadata[i] = MetadataJson.Serialize(e.Metadata);
            }
        }

        return prepared;
    }

    private static async Task<IReadOnlyList<AppendResult>> ExecuteAsync(NpgsqlConnection connection, PreparedAppend p, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT kind, stream_id, version, event_id FROM event_store.append($1, $2, $3, $4, $5, $6, $7, $8, $9)", connection);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = p.StreamIds, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = p.StreamTypes, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = p.Expected, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = p.EventStream, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = p.EventIds, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = p.EventTypes, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = p.EventData, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = p.EventMetadata, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = p.RecordedAt, NpgsqlDbType = NpgsqlDbType.TimestampTz });

        var versions = new Dictionary<string, long>(StringComparer.Ordinal);
        var skipped = new Dictionary<string, List<Guid>>(StringComparer.Ordinal);
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var streamId = reader.GetString(1);
                if (reader.GetString(0) == "skipped")
                {
                    if (!skipped.TryGetValue(streamId, out var list))
                        skipped[streamId] = list = [];
                    list.Add(reader.GetGuid(3));
                }
                else
                {
                    versions[streamId] = reader.GetInt64(2);
                }
            }
        }
        catch (PostgresException ex) when (ex.MessageText.StartsWith(WrongExpectedVersionPrefix, StringComparison.Ordinal))
        {
            var parts = ex.MessageText[WrongExpectedVersionPrefix.Length..].Split(':', 3);
            var expected = long.Parse(parts[0], CultureInfo.InvariantCulture);
            throw new WrongExpectedVersionException(
                parts[2], expected == 0 ? ExpectedVersion.NoStream.ToString() : parts[0], long.Parse(parts[1], CultureInfo.InvariantCulture));
        }

        return [.. p.StreamIds.Select(id => new AppendResult(
            id, versions.GetValueOrDefault(id), skipped.TryGetValue(id, out var list) ? list : []))];
    }

    private static bool IsRetryable(PostgresException ex) =>
        ex.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DeadlockDetected;

    private sealed class PreparedAppend(int streamCount, int eventCount, DateTimeOffset recordedAt)
    {
        public string[] StreamIds { get; } = new string[streamCount];
        public string[] StreamTypes { get; } = new string[streamCount];
        public long[] Expected { get; } = new long[streamCount];
        public int[] EventStream { get; } = new int[eventCount];
        public Guid[] EventIds { get; } = new Guid[eventCount];
        public string[] EventTypes { get; } = new string[eventCount];
        public string[] EventData { get; } = new string[eventCount];
        public string[] EventMetadata { get; } = new string[eventCount];
        public DateTimeOffset RecordedAt { get; } = recordedAt;
        public int Count { get; set; }
    }
}
