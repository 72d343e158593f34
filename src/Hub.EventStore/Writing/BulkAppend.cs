using System.Buffers;
using System.Reflection;
using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Projections;
using JasperFx.MultiTenancy;
using Marten;
using Marten.Events;
using Marten.Events.Aggregation;
using Marten.Internal.Storage;
using Weasel.Storage;
using Marten.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Hub.EventStore.Writing;

/// <summary>
/// <see cref="EventWriter"/>'s path for a message of many events whose streams all carry their folded inline read
/// model: an initial sync's page of new streams, a delta page, the HubSpot push's page of outcomes (ADR 0026). The
/// processed-message record, the streams, their events and their read models are written set-based in one
/// transaction — new streams, events and new read models by binary COPY, existing streams and read models by one
/// statement each over arrays — in place of Marten's append function per stream and upsert per read model. The rows
/// are the ones Marten's Quick append and inline projection write (the same columns and values, the transaction's
/// <c>now()</c> as the events' timestamp, sequence numbers drawn inside the transaction, so the daemon's gap rules treat
/// it as any other append). A stream another writer created or moved meanwhile fails the attempt (the stream's key, or
/// <see cref="StreamsMovedException"/>), which <see cref="EventWriter"/> retries as any race.
/// </summary>
internal sealed class BulkAppend
{
    // Every column of the three tables this path writes, as this Marten version creates them for the hub's settings;
    // any other column (a metadata option, tags, tenancy) means rows this path would write incompletely.
    private static readonly string[] StreamColumns = ["id", "type", "version", "timestamp", "created", "tenant_id", "compacted_version", "is_archived"];
    private static readonly string[] EventColumns =
        ["seq_id", "id", "stream_id", "version", "data", "bdata", "type", "timestamp", "tenant_id", "mt_dotnet_type", "correlation_id", "causation_id", "is_archived"];
    private static readonly string[] StateColumns = ["id", "data", "mt_last_modified", "mt_dotnet_type", "mt_version"];

    private readonly DocumentStore _store;
    private readonly EventGraph _events;
    private readonly string _schema;
    private readonly string _stateTable;
    private readonly string _stateTypeName;
    private bool? _tablesAsExpected;

    private BulkAppend(DocumentStore store, EventGraph events, Type stateType)
    {
        _store = store;
        _events = events;
        _schema = events.DatabaseSchemaName;
        StateType = stateType;
        _stateTypeName = stateType.FullName!;
        _stateTable = (string)typeof(BulkAppend).GetMethod(nameof(TableOf), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(stateType).Invoke(null, [store])!;
    }

    /// <summary>The read model of the store's one inline projection, which callers fold and hand in per stream.</summary>
    public Type StateType { get; }

    /// <summary>
    /// The path for <paramref name="store"/>, or null where it cannot keep the store's rules: an inline projection
    /// other than exactly one single-stream projection by string key (whose read models the caller folds), tenancy, or
    /// event metadata other than correlation and causation ids.
    /// </summary>
    public static BulkAppend? For(IDocumentStore store)
    {
        if (store is not DocumentStore document)
            return null;
        var events = (EventGraph)document.Options.Events;
        if (events.StreamIdentity != StreamIdentity.AsString || events.TenancyStyle != TenancyStyle.Single || events.UseTenantPartitionedEvents
            || events.MetadataConfig is not { CorrelationIdEnabled: true, CausationIdEnabled: true, HeadersEnabled: false, UserNameEnabled: false })
            return null;
        var inline = document.Options.Projections.All.Where(p => p.Lifecycle == ProjectionLifecycle.Inline).ToList();
        var stateType = inline is [var only] ? SingleStreamStateType(only.GetType()) : null;
        return stateType is null ? null : new BulkAppend(document, events, stateType);
    }

    /// <summary>
    /// Writes <paramref name="streams"/> (each new or at a known version, no event id twice, its
    /// <see cref="StreamEvents.InlineState"/> the fold of its events) and <paramref name="message"/>'s record; false, with nothing written, where the tables are
    /// not the ones this path knows. A message already processed throws 23505 on its record first
    /// (<see cref="IsDuplicateMessage"/>).
    /// </summary>
    public async Task<bool> TryWriteAsync(
        ProcessedMessage message, IReadOnlyList<StreamEvents> streams, string? correlationId, string? causationId, CancellationToken cancellationToken)
    {
        var tenant = _store.Tenancy.Default;
        var serializer = _store.Options.Serializer();
        // The COPYs' JSON goes in as UTF-8 straight from the serializer, not through a UTF-16 string per row.
        var json = new ArrayBufferWriter<byte>(4096);
        await using var connection = tenant.Database.CreateConnection();
        await connection.OpenAsync(cancellationToken);
        // Decided once per process, unless a table is not there yet (Marten creates a read model's table on first use).
        _tablesAsExpected ??= await TablesAsExpectedAsync(connection, cancellationToken);
        if (_tablesAsExpected != true)
            return false;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        await ((MartenDocumentProvider<ProcessedMessage>)tenant.Database.Providers.StorageFor<ProcessedMessage>()).BulkLoader
            .LoadAsync(tenant, serializer, connection, [message], cancellationToken);
        var (sequences, now) = await DrawSequencesAsync(connection, streams.Sum(s => s.Events.Count), cancellationToken);

        var created = streams.Where(s => s.ExpectedVersion == 0).ToList();
        var moved = streams.Where(s => s.ExpectedVersion > 0).ToList();
        if (moved.Count > 0)
            await MoveStreamsAsync(connection, moved, cancellationToken);
        if (created.Count > 0)
        {
            await CopyAsync(connection, $"COPY {_schema}.mt_streams (id, version, tenant_id) FROM STDIN (FORMAT BINARY)", created, async (rows, stream) =>
            {
                await rows.WriteAsync(stream.StreamKey, NpgsqlDbType.Varchar, cancellationToken);
                await rows.WriteAsync((long)stream.Events.Count, NpgsqlDbType.Bigint, cancellationToken);
                await rows.WriteAsync(StorageConstants.DefaultTenantId, NpgsqlDbType.Varchar, cancellationToken);
            }, cancellationToken);
        }

        var events = streams.SelectMany(s => s.Events.Select((pending, i) => (Stream: s, Version: (s.ExpectedVersion ?? 0) + i + 1, Pending: pending)));
        await CopyAsync(connection,
            $"COPY {_schema}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, is_archived, correlation_id, causation_id) FROM STDIN (FORMAT BINARY)",
            events.Zip(sequences), async (rows, row) =>
            {
                var ((stream, version, pending), sequence) = row;
                var mapping = _events.EventMappingFor(pending.Data.GetType());
                await rows.WriteAsync(sequence, NpgsqlDbType.Bigint, cancellationToken);
                await rows.WriteAsync(pending.Id, NpgsqlDbType.Uuid, cancellationToken);
                await rows.WriteAsync(stream.StreamKey, NpgsqlDbType.Varchar, cancellationToken);
                await rows.WriteAsync(version, NpgsqlDbType.Bigint, cancellationToken);
                await JsonbCopy.WriteAsync(rows, serializer, json, pending.Data, cancellationToken);
                await rows.WriteAsync(mapping.EventTypeName, NpgsqlDbType.Varchar, cancellationToken);
                await rows.WriteAsync(now, NpgsqlDbType.TimestampTz, cancellationToken);
                await rows.WriteAsync(StorageConstants.DefaultTenantId, NpgsqlDbType.Varchar, cancellationToken);
                await rows.WriteAsync(mapping.DotNetTypeName, NpgsqlDbType.Varchar, cancellationToken);
                await rows.WriteAsync(false, NpgsqlDbType.Boolean, cancellationToken);
                await WriteNullableAsync(rows, correlationId, cancellationToken);
                await WriteNullableAsync(rows, causationId, cancellationToken);
            }, cancellationToken);

        // The inline projection's rows: its revision is the stream's version, as Marten's upsert for a projected read model sets it.
        if (created.Count > 0)
        {
            await CopyAsync(connection, $"COPY {_stateTable} (id, data, mt_dotnet_type, mt_version) FROM STDIN (FORMAT BINARY)", created, async (rows, stream) =>
            {
                await rows.WriteAsync(stream.StreamKey, NpgsqlDbType.Varchar, cancellationToken);
                await JsonbCopy.WriteAsync(rows, serializer, json, stream.InlineState!, cancellationToken);
                await rows.WriteAsync(_stateTypeName, NpgsqlDbType.Varchar, cancellationToken);
                await rows.WriteAsync((long)stream.Events.Count, NpgsqlDbType.Bigint, cancellationToken);
            }, cancellationToken);
        }

        if (moved.Count > 0)
        {
            // Marten's upsert, over arrays: insert, or replace the document, its type name, revision and modification time.
            await using var upsert = new NpgsqlCommand(
                $"INSERT INTO {_stateTable} AS d (id, data, mt_dotnet_type, mt_version, mt_last_modified) " +
                "SELECT u.id, u.data, $4, u.version, transaction_timestamp() FROM unnest($1, $2, $3) AS u(id, data, version) " +
                "ON CONFLICT (id) DO UPDATE SET data = excluded.data, mt_dotnet_type = excluded.mt_dotnet_type, " +
                "mt_version = excluded.mt_version, mt_last_modified = excluded.mt_last_modified", connection);
            upsert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. moved.Select(s => s.StreamKey)], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar });
            upsert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. moved.Select(s => serializer.ToJson(s.InlineState!))], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
            upsert.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. moved.Select(s => s.ExpectedVersion!.Value + s.Events.Count)] });
            upsert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _stateTypeName });
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// Moves existing streams to their new versions where each still has the version the decision read (and is not
    /// archived); otherwise throws <see cref="StreamsMovedException"/>, and the transaction rolls back. The rows are
    /// locked in key order first, so two writers moving overlapping streams wait for each other instead of deadlocking.
    /// </summary>
    private async Task MoveStreamsAsync(NpgsqlConnection connection, List<StreamEvents> moved, CancellationToken cancellationToken)
    {
        var keys = moved.Select(s => s.StreamKey).ToArray();
        await using (var lockRows = new NpgsqlCommand($"SELECT id FROM {_schema}.mt_streams WHERE id = ANY($1) ORDER BY id FOR UPDATE", connection))
        {
            lockRows.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = keys, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar });
            await lockRows.ExecuteNonQueryAsync(cancellationToken);
        }

        // The Quick append function's update: the version after the events, the time of the append.
        await using var update = new NpgsqlCommand(
            $"UPDATE {_schema}.mt_streams AS s SET version = u.version, timestamp = now() " +
            "FROM unnest($1, $2, $3) AS u(id, expected, version) WHERE s.id = u.id AND s.version = u.expected AND NOT s.is_archived", connection);
        update.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = keys, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar });
        update.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. moved.Select(s => s.ExpectedVersion!.Value)] });
        update.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. moved.Select(s => s.ExpectedVersion!.Value + s.Events.Count)] });
        var updated = await update.ExecuteNonQueryAsync(cancellationToken);
        if (updated != moved.Count)
            throw new StreamsMovedException(moved.Count - updated);
    }

    /// <summary>A COPY of a message's record that failed because an earlier delivery committed it.</summary>
    public static bool IsDuplicateMessage(PostgresException ex) =>
        ex is { SqlState: PostgresErrorCodes.UniqueViolation, TableName: "mt_doc_processedmessage" };

    private async Task<(long[] Sequences, DateTime Now)> DrawSequencesAsync(NpgsqlConnection connection, int count, CancellationToken cancellationToken)
    {
        // now() is the transaction's start, the timestamp Marten's Quick append gives every event of a transaction.
        await using var command = new NpgsqlCommand($"SELECT nextval('{_schema}.mt_events_sequence'), now() FROM generate_series(1, $1)", connection);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = count });
        var sequences = new long[count];
        var now = default(DateTime);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        for (var i = 0; await reader.ReadAsync(cancellationToken); i++)
        {
            sequences[i] = reader.GetInt64(0);
            now = reader.GetDateTime(1);
        }

        // Ascending, so each stream's events ascend in sequence as in version, and the page's streams follow page order.
        Array.Sort(sequences);
        return (sequences, now);
    }

    private async Task<bool?> TablesAsExpectedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT c.relname, array_agg(a.attname::text ORDER BY a.attname) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid " +
            "WHERE a.attnum > 0 AND NOT a.attisdropped AND c.oid IN (to_regclass($1), to_regclass($2), to_regclass($3)) GROUP BY c.relname", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = $"{_schema}.mt_streams" });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = $"{_schema}.mt_events" });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _stateTable });
        var columns = new Dictionary<string, string[]>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            columns[reader.GetString(0)] = reader.GetFieldValue<string[]>(1);
        if (columns.Count < 3)
            return null;
        return Same(columns["mt_streams"], StreamColumns) && Same(columns["mt_events"], EventColumns)
            && Same(columns[_stateTable[(_stateTable.LastIndexOf('.') + 1)..]], StateColumns);

        static bool Same(string[] actual, string[] expected) => actual.Order(StringComparer.Ordinal).SequenceEqual(expected.Order(StringComparer.Ordinal));
    }

    private static string TableOf<T>(DocumentStore store)
        where T : notnull =>
        ((IDocumentStorage<T>)store.Tenancy.Default.Database.Providers.StorageFor<T>().Lightweight).TableName.QualifiedName;

    private static async Task CopyAsync<T>(
        NpgsqlConnection connection, string copy, IEnumerable<T> items, Func<NpgsqlBinaryImporter, T, Task> writeRow, CancellationToken cancellationToken)
    {
        await using var rows = await connection.BeginBinaryImportAsync(copy, cancellationToken);
        foreach (var item in items)
        {
            await rows.StartRowAsync(cancellationToken);
            await writeRow(rows, item);
        }

        await rows.CompleteAsync(cancellationToken);
    }

    private static Task WriteNullableAsync(NpgsqlBinaryImporter rows, string? value, CancellationToken cancellationToken) =>
        value is null ? rows.WriteNullAsync(cancellationToken) : rows.WriteAsync(value, NpgsqlDbType.Varchar, cancellationToken);

    private static Type? SingleStreamStateType(Type? projection)
    {
        for (; projection is not null; projection = projection.BaseType)
            if (projection.IsGenericType && projection.GetGenericTypeDefinition() == typeof(SingleStreamProjection<,>)
                && projection.GetGenericArguments()[1] == typeof(string))
                return projection.GetGenericArguments()[0];
        return null;
    }
}

/// <summary>
/// Streams of a bulk append that another writer moved (or archived) after the decision read their versions: the
/// attempt rolled back, and <see cref="EventWriter"/> decides and writes again, as for any race.
/// </summary>
public sealed class StreamsMovedException(int streams)
    : Exception($"{streams} stream(s) moved since their version was read; nothing of the attempt was written.");
