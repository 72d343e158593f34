using System.Globalization;
using Hub.EventStore.Types;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Hub.EventStore.Appending;

/// <summary>
/// Appends events to one stream or to a page of many in one transaction. Every append goes through the database's
/// <c>event_store.prepare_append</c> (stream locks, duplicate ids, expected versions); small ones finish in the same
/// call, large ones continue with binary COPY. Duplicate event ids are skipped, durably (ADR 0003).
/// </summary>
public sealed class EventAppender(NpgsqlDataSource dataSource, EventTypeMap types, TimeProvider time, ILogger<EventAppender> logger)
{
    private const int MaxAttempts = 3;

    // Below this many events one function call (one round trip) is fastest; above it, binary COPY of the rows
    // outweighs its extra round trips (about twice as fast per row as INSERT ... SELECT FROM unnest).
    private const int CopyThreshold = 64;
    private const string WrongExpectedVersionPrefix = "hub:wrong_expected_version:";
    private const string EventIdConflictPrefix = "hub:event_id_conflict:";
    private const string StreamOrderPrefix = "hub:stream_order:";

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
                if (command.Count < CopyThreshold)
                    return await AppendInOneCallAsync(connection, command, cancellationToken);

                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                var results = await AppendWithCopyAsync(connection, command, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return results;
            }
            catch (PostgresException ex) when (attempt < MaxAttempts && IsRetryable(ex))
            {
                // Another transaction created one of our new streams or stored one of our event ids first, or a
                // deadlock: the next attempt sees its committed rows and versions, and skips or refuses accordingly.
                // (The stream-order refusal cannot happen here: this transaction has no id before prepare_append.)
                logger.LogDebug(ex, "Append attempt {Attempt} hit {SqlState}; retrying", attempt, ex.SqlState);
            }
        }
    }

    /// <summary>
    /// Appends inside the caller's transaction, e.g. together with a checkpoint. Any failure aborts that transaction,
    /// as a failed statement does in PostgreSQL; the retryable races are then the caller's to retry, with a new
    /// transaction: <see cref="StreamOrderConflictException"/> (the transaction got its id before another writer
    /// appended to one of the streams, ADR 0002), and serialization failures, unique violations and deadlocks.
    /// </summary>
    public async Task<IReadOnlyList<AppendResult>> AppendBatchAsync(
        NpgsqlTransaction transaction, IReadOnlyList<StreamAppend> appends, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var command = Prepare(appends);
        try
        {
            return command.Count < CopyThreshold
                ? await AppendInOneCallAsync(transaction.Connection!, command, cancellationToken)
                : await AppendWithCopyAsync(transaction.Connection!, command, cancellationToken);
        }
        catch (PostgresException ex) when (ex.MessageText.StartsWith(StreamOrderPrefix, StringComparison.Ordinal))
        {
            var streamId = ex.MessageText[StreamOrderPrefix.Length..];
            throw new StreamOrderConflictException(
                streamId, $"Stream '{streamId}' was appended to after this transaction got its id; retry in a new transaction.", ex);
        }
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

    private static async Task<IReadOnlyList<AppendResult>> AppendInOneCallAsync(NpgsqlConnection connection, PreparedAppend p, CancellationToken cancellationToken)
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
        catch (PostgresException ex) when (Translate(ex, p) is { } translated)
        {
            throw translated;
        }

        return [.. p.StreamIds.Select(id => new AppendResult(
            id, versions.GetValueOrDefault(id), skipped.TryGetValue(id, out var list) ? list : []))];
    }

    /// <summary>
    /// Large appends, inside the connection's open transaction: prepare_append locks, checks and versions the
    /// streams, then the events go in by binary COPY.
    /// </summary>
    private static async Task<IReadOnlyList<AppendResult>> AppendWithCopyAsync(NpgsqlConnection connection, PreparedAppend p, CancellationToken cancellationToken)
    {
        long[] current;
        long[] reported;
        HashSet<Guid> duplicates;
        await using (var prepare = new NpgsqlCommand(
            "SELECT current_versions, duplicates, versions FROM event_store.prepare_append($1, $2, $3, $4, $5, $6)", connection))
        {
            prepare.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = p.StreamIds, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            prepare.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = p.StreamTypes, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            prepare.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = p.Expected, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
            prepare.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = p.EventStream, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
            prepare.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = p.EventIds, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
            prepare.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = p.RecordedAt, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            try
            {
                await using var reader = await prepare.ExecuteReaderAsync(cancellationToken);
                await reader.ReadAsync(cancellationToken);
                current = reader.GetFieldValue<long[]>(0);
                duplicates = [.. reader.GetFieldValue<Guid[]>(1)];
                reported = reader.GetFieldValue<long[]>(2);
            }
            catch (PostgresException ex) when (Translate(ex, p) is { } translated)
            {
                throw translated;
            }
        }

        // Same numbering as prepare_append used for the stream rows: the stream's old version plus the position
        // among its non-duplicate events.
        var versions = (long[])current.Clone();
        var skipped = new List<Guid>?[p.StreamIds.Length];
        var eventVersions = new long[p.Count];
        for (var i = 0; i < p.Count; i++)
        {
            var s = p.EventStream[i] - 1;
            if (duplicates.Contains(p.EventIds[i]))
                (skipped[s] ??= []).Add(p.EventIds[i]);
            else
                eventVersions[i] = ++versions[s];
        }

        if (duplicates.Count < p.Count)
        {
            await using var events = await connection.BeginBinaryImportAsync(
                "COPY event_store.events (stream_id, version, event_id, type, data, metadata, recorded_at) FROM STDIN (FORMAT BINARY)", cancellationToken);
            for (var i = 0; i < p.Count; i++)
            {
                if (eventVersions[i] == 0)
                    continue;
                await events.StartRowAsync(cancellationToken);
                await events.WriteAsync(p.StreamIds[p.EventStream[i] - 1], NpgsqlDbType.Text, cancellationToken);
                await events.WriteAsync(eventVersions[i], NpgsqlDbType.Bigint, cancellationToken);
                await events.WriteAsync(p.EventIds[i], NpgsqlDbType.Uuid, cancellationToken);
                await events.WriteAsync(p.EventTypes[i], NpgsqlDbType.Text, cancellationToken);
                await events.WriteAsync(p.EventData[i], NpgsqlDbType.Jsonb, cancellationToken);
                await events.WriteAsync(p.EventMetadata[i], NpgsqlDbType.Jsonb, cancellationToken);
                await events.WriteAsync(p.RecordedAt, NpgsqlDbType.TimestampTz, cancellationToken);
            }

            await events.CompleteAsync(cancellationToken);
        }

        // prepare_append's versions, which for a stream of only duplicates is where they were stored, not the head.
        return [.. p.StreamIds.Select((id, s) => new AppendResult(id, reported[s], skipped[s] ?? []))];
    }

    /// <summary>The append's own refusals (raised by prepare_append) as typed exceptions; null for anything else.</summary>
    private static Exception? Translate(PostgresException ex, PreparedAppend p)
    {
        var message = ex.MessageText;
        if (message.StartsWith(WrongExpectedVersionPrefix, StringComparison.Ordinal))
        {
            var parts = message[WrongExpectedVersionPrefix.Length..].Split(':', 3);
            var expected = long.Parse(parts[0], CultureInfo.InvariantCulture);
            return new WrongExpectedVersionException(
                parts[2], expected == 0 ? ExpectedVersion.NoStream.ToString() : parts[0], long.Parse(parts[1], CultureInfo.InvariantCulture));
        }

        if (message.StartsWith(EventIdConflictPrefix, StringComparison.Ordinal))
        {
            // '{event id}:{stored stream}:{requested stream}'. Stream ids may contain ':', so the requested one is
            // taken from the append itself and the stored one is what lies between.
            var rest = message[EventIdConflictPrefix.Length..];
            var eventId = Guid.Parse(rest.AsSpan(0, 36), CultureInfo.InvariantCulture);
            var index = Array.IndexOf(p.EventIds, eventId, 0, p.Count);
            var requested = index >= 0 ? p.StreamIds[p.EventStream[index] - 1] : "";
            var stored = rest[37..];
            if (index >= 0 && stored.EndsWith(":" + requested, StringComparison.Ordinal))
                stored = stored[..^(requested.Length + 1)];
            return new EventIdConflictException(eventId, stored, requested);
        }

        return null;
    }

    private static bool IsRetryable(PostgresException ex) =>
        ex.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure;

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
