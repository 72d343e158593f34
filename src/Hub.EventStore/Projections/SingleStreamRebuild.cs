using System.Buffers;
using System.Data.Common;
using System.Reflection;
using System.Runtime.CompilerServices;
using Hub.EventStore.Writing;
using JasperFx.Events;
using JasperFx.Events.Aggregation;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events;
using Marten.Events.Aggregation;
using Marten.Internal.Storage;
using Npgsql;
using NpgsqlTypes;
using Weasel.Storage;

namespace Hub.EventStore.Projections;

/// <summary>
/// What a <see cref="SingleStreamRebuild"/> did: the log up to <see cref="HighWaterMark"/> folded into <see cref="Documents"/>
/// read models; <see cref="Spilled"/> of them were set aside in the database on the way because memory ran short.
/// </summary>
public sealed record SingleStreamRebuildResult(string ProjectionName, long HighWaterMark, long Events, int Documents)
{
    public int Spilled { get; init; }
}

/// <summary>Where a rebuild stands: <see cref="Phase"/>, events folded of about <see cref="EventsTotal"/>, read models built so far.</summary>
public sealed record SingleStreamRebuildProgress(SingleStreamRebuildPhase Phase, long EventsFolded, long EventsTotal, int Documents);

public enum SingleStreamRebuildPhase
{
    /// <summary>The log up to the mark taken at the start is folded beside the live projection, which keeps running.</summary>
    Building,

    /// <summary>The live agent is paused; the events committed while building are folded too.</summary>
    CatchingUp,

    /// <summary>The rebuilt read models replace the live ones in one transaction; the agent resumes after it.</summary>
    Swapping,

    Done,
}

/// <summary>
/// Rebuilds an async <see cref="SingleStreamProjection{TDoc, TId}"/> (string stream keys) faster than the daemon's
/// <c>RebuildProjectionAsync</c>, and without stopping the live projection while it builds: the committed log up to
/// the daemon's high-water mark is read in large pages and folded in memory with the projection's own logic while
/// the live agent keeps projecting; then the agent is paused, the events committed meanwhile are folded too, and the
/// read models are replaced with one COPY, in one transaction that also moves the projection's progress to the new
/// mark. Readers see the old read models until that commit. The read models are held in memory until then while the
/// process's heap stays within the memory budget; past it they are set aside in a temporary table of the rebuild's
/// connection and read back when a later event needs them, so a read model larger than the pod's memory still rebuilds.
/// </summary>
public static class SingleStreamRebuild
{
    /// <summary>
    /// Rebuilds <paramref name="projectionName"/>. Its agent on <paramref name="daemon"/> is paused for the catch-up and
    /// swap only, and started again afterwards if it was running; the caller makes sure no other process's daemon runs
    /// it meanwhile (as for Marten's own rebuild: on the host whose daemon runs the projection's agent).
    /// </summary>
    /// <param name="memoryBudget">
    /// Managed heap bytes above which the read models built so far are set aside in the database; by default three
    /// quarters of what the runtime may use (<see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>, which follows a
    /// container's limit).
    /// </param>
    public static async Task<SingleStreamRebuildResult> RunAsync<TDoc>(
        DocumentStore store, IProjectionDaemon daemon, string projectionName, int pageSize = 10_000,
        IProgress<SingleStreamRebuildProgress>? progress = null, long? memoryBudget = null, CancellationToken cancellationToken = default)
        where TDoc : class
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(daemon);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var projection = FindProjection<TDoc>(store, projectionName);
        var shard = projection.ShardNames().Single().Identity;
        var schema = store.Options.Events.DatabaseSchemaName;

        await using var connection = store.Tenancy.Default.Database.CreateConnection();
        await connection.OpenAsync(cancellationToken);
        await using var fold = new Fold<TDoc>(store, projection, connection, pageSize, memoryBudget ?? DefaultMemoryBudget());

        // Only up to the daemon's high-water mark: below it every sequence number is committed or a gap the daemon
        // has decided to skip, so nothing read here can be joined later by a slower transaction.
        var building = await HighWaterMarkAsync(daemon, connection, schema, cancellationToken);
        var total = await fold.CountAsync(0, building, cancellationToken);
        await fold.RunAsync(0, building, folded => progress?.Report(new(SingleStreamRebuildPhase.Building, folded, total, fold.DocumentCount)), cancellationToken);

        var wasRunning = daemon.CurrentAgents().Any(a => a.Name.Identity == shard);
        await daemon.StopAgentAsync(shard);
        try
        {
            var highWaterMark = Math.Max(building, await HighWaterMarkAsync(daemon, connection, schema, cancellationToken));
            var before = fold.Events;
            total += await fold.CountAsync(building, highWaterMark, cancellationToken);
            await fold.RunAsync(building, highWaterMark, folded => progress?.Report(new(SingleStreamRebuildPhase.CatchingUp, before + folded, total, fold.DocumentCount)), cancellationToken);
            progress?.Report(new(SingleStreamRebuildPhase.Swapping, fold.Events, total, fold.DocumentCount));
            await ReplaceAsync(store, shard, connection, fold, highWaterMark, cancellationToken);
            progress?.Report(new(SingleStreamRebuildPhase.Done, fold.Events, total, fold.DocumentCount));
            return new SingleStreamRebuildResult(projection.Name, highWaterMark, fold.Events, fold.DocumentCount) { Spilled = fold.Spilled };
        }
        finally
        {
            // Also after a failure: the swap either committed or left the old read models and progress, both consistent.
            if (wasRunning)
                await daemon.StartAgentAsync(shard, CancellationToken.None);
        }
    }

    /// <summary>
    /// Three quarters of what the runtime may use (its heap limit in a container): the rest is room for a page's
    /// transient allocations and the host's own work beside the rebuild.
    /// </summary>
    private static long DefaultMemoryBudget() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4 * 3;

    private static async Task<long> HighWaterMarkAsync(IProjectionDaemon daemon, NpgsqlConnection connection, string schema, CancellationToken cancellationToken) =>
        Math.Max(daemon.HighWaterMark(), await PersistedHighWaterMarkAsync(connection, schema, cancellationToken));

    private static SingleStreamProjection<TDoc, string> FindProjection<TDoc>(DocumentStore store, string projectionName)
        where TDoc : class
    {
        if (!store.Options.Projections.TryFindProjection(projectionName, out var source))
            throw new ArgumentException($"The store has no projection named '{projectionName}'.", nameof(projectionName));
        if (source is not SingleStreamProjection<TDoc, string> projection)
            throw new ArgumentException($"Projection '{projectionName}' is a {source.GetType().Name}, not a single-stream projection of {typeof(TDoc).Name} by string stream key.", nameof(projectionName));
        if (projection.Lifecycle != ProjectionLifecycle.Async)
            throw new ArgumentException($"Projection '{projectionName}' runs {projection.Lifecycle}; only async projections are rebuilt here.", nameof(projectionName));
        // The daemon enriches each page's events before applying them; this fold does not, so it refuses such projections.
        if (projection.GetType().GetMethod(nameof(projection.EnrichEventsAsync))?.DeclaringType != typeof(SingleStreamProjection<TDoc, string>).GetMethod(nameof(projection.EnrichEventsAsync))?.DeclaringType)
            throw new ArgumentException($"Projection '{projectionName}' enriches events (EnrichEventsAsync); rebuild it with the daemon.", nameof(projectionName));
        return projection;
    }

    private static async Task<long> PersistedHighWaterMarkAsync(NpgsqlConnection connection, string schema, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT last_seq_id FROM {schema}.mt_event_progression WHERE name = 'HighWaterMark'", connection);
        return await command.ExecuteScalarAsync(cancellationToken) is long mark ? mark : 0;
    }

    /// <summary>
    /// Reads the projection's events in <c>seq_id</c> order, deserialised (and upcast) by Marten, and folds each page's
    /// events of one stream at once through the projection's own dispatch (<c>DetermineActionAsync</c>, which runs its
    /// Evolve override, the source-generated evolver of a partial class, or its conventional methods), as the daemon
    /// does per page. Successive ranges fold onto the same documents. When the heap outgrows the memory budget after a
    /// page, every document in memory goes to the spill table (a temporary table of this connection) and is read back
    /// when a later page has events of its stream: memory stays bounded, and a log that fits pays nothing for it.
    /// </summary>
    private sealed class Fold<TDoc>(DocumentStore store, SingleStreamProjection<TDoc, string> projection, NpgsqlConnection connection, int pageSize, long memoryBudget)
        : IAsyncDisposable
        where TDoc : class
    {
        /// <summary>The spill table: one row per set-aside read model, keyed by stream.</summary>
        public const string SpillTable = "hub_rebuild_spill";

        private readonly string[] _types = EventTypeNames(store, projection);
        private readonly ISerializer _serializer = store.Options.Serializer();

        /// <summary>Streams whose read model is in the spill table and not in memory.</summary>
        private readonly HashSet<string> _spilled = new(StringComparer.Ordinal);

        /// <summary>Spill-table rows superseded since (read back into memory, or deleted by the projection): deleted before the next write.</summary>
        private readonly HashSet<string> _stale = new(StringComparer.Ordinal);

        private bool _spillTableCreated;

        // A projection that names no event types (an Evolve override without IncludeType) sees every event, as in the daemon.
        private string Filter => (_types.Length == 0 ? "cardinality($3::varchar[]) = 0" : "d.type = ANY($3)") + (projection.IncludeArchivedEvents ? "" : " AND d.is_archived = FALSE");

        /// <summary>The read models in memory.</summary>
        public Dictionary<string, TDoc> Documents { get; } = new(StringComparer.Ordinal);

        public int DocumentCount => Documents.Count + _spilled.Count;

        /// <summary>Read models written to the spill table, counting one spilled twice twice.</summary>
        public int Spilled { get; private set; }

        public long Events { get; private set; }

        public async Task<long> CountAsync(long after, long upTo, CancellationToken cancellationToken)
        {
            await using var command = new NpgsqlCommand(
                $"SELECT count(*) FROM {store.Options.Events.DatabaseSchemaName}.mt_events AS d WHERE d.seq_id > $1 AND d.seq_id <= $2 AND {Filter}", connection);
            command.Parameters.Add(new NpgsqlParameter<long>("", after) { NpgsqlDbType = NpgsqlDbType.Bigint });
            command.Parameters.Add(new NpgsqlParameter<long>("", upTo) { NpgsqlDbType = NpgsqlDbType.Bigint });
            command.Parameters.Add(new NpgsqlParameter<string[]>("", _types) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar });
            return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        }

        public async Task RunAsync(long from, long upTo, Action<long> folded, CancellationToken cancellationToken)
        {
            var identity = DocumentStorage<TDoc>(store);
            var metadata = (IAggregationProjection<TDoc, string, IDocumentOperations, IQuerySession>)projection;
            var eventStorage = (ISelector<IEvent>)store.Tenancy.Default.Database.Providers.StorageFor<IEvent>().QueryOnly;
            var selectFields = ((IEventStorage)eventStorage).SelectFields();
            await using var session = store.QuerySession();

            await using var command = new NpgsqlCommand(
                $"SELECT {string.Join(", ", selectFields.Select(f => "d." + f))} FROM {store.Options.Events.DatabaseSchemaName}.mt_events AS d " +
                $"WHERE d.seq_id > $1 AND d.seq_id <= $2 AND {Filter} ORDER BY d.seq_id LIMIT $4",
                connection);
            var after = new NpgsqlParameter<long> { TypedValue = from, NpgsqlDbType = NpgsqlDbType.Bigint };
            command.Parameters.Add(after);
            command.Parameters.Add(new NpgsqlParameter<long>("", upTo) { NpgsqlDbType = NpgsqlDbType.Bigint });
            command.Parameters.Add(new NpgsqlParameter<string[]>("", _types) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar });
            command.Parameters.Add(new NpgsqlParameter<int>("", pageSize) { NpgsqlDbType = NpgsqlDbType.Integer });

            long read = 0;
            var page = new List<IEvent>(pageSize);
            while (true)
            {
                page.Clear();
                await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
                {
                    while (await reader.ReadAsync(cancellationToken))
                        page.Add(await eventStorage.ResolveAsync(reader, cancellationToken));
                }

                if (page.Count == 0)
                    break;
                read += page.Count;
                Events += page.Count;
                after.TypedValue = page[^1].Sequence;
                if (_spilled.Count > 0)
                    await ReadBackAsync([.. page.Select(e => e.StreamKey!).Where(_spilled.Contains).Distinct(StringComparer.Ordinal)], cancellationToken);

                foreach (var slice in page.GroupBy(e => e.StreamKey!, StringComparer.Ordinal))
                {
                    var events = slice.ToList();
                    Documents.TryGetValue(slice.Key, out var snapshot);
                    var (document, action) = await projection.DetermineActionAsync(session, snapshot, slice.Key, identity, events, cancellationToken);
                    switch (action)
                    {
                        case ActionType.Store when document is not null:
                            Documents[slice.Key] = metadata.TryApplyMetadata(events, document, slice.Key, identity).Item2 ?? document;
                            break;
                        case ActionType.Delete:
                            Documents.Remove(slice.Key);
                            break;
                        default:
                            break;
                    }
                }

                folded(read);
                if (OverBudget())
                    await SpillAsync(cancellationToken);
                if (page.Count < pageSize)
                    break;
            }
        }

        /// <summary>
        /// What the heap held after the last full collection (blocking or background): what is alive, not what was
        /// allocated since, nor the dead objects of the old generation that a young collection leaves counted (either
        /// would set read models aside that fit). The runtime collects fully as the heap nears its limit, so the figure
        /// is fresh when it matters.
        /// </summary>
        private bool OverBudget()
        {
            var full = GC.GetGCMemoryInfo(GCKind.FullBlocking);
            var background = GC.GetGCMemoryInfo(GCKind.Background);
            var last = background.Index > full.Index ? background : full;
            if (last.Index == 0)
                last = GC.GetGCMemoryInfo();
            return last.HeapSizeBytes - last.FragmentedBytes > memoryBudget;
        }

        /// <summary>Every read model in memory to the spill table; the collection after it lets the next check see what is really left.</summary>
        private async Task SpillAsync(CancellationToken cancellationToken)
        {
            if (Documents.Count == 0)
                return;
            if (!_spillTableCreated)
            {
                // Temporary: private to this connection, gone with its session; emptied first in case a pooled session kept one.
                await using var create = new NpgsqlCommand($"CREATE TEMPORARY TABLE IF NOT EXISTS {SpillTable} (id text PRIMARY KEY, data jsonb NOT NULL); TRUNCATE {SpillTable}", connection);
                await create.ExecuteNonQueryAsync(cancellationToken);
                _spillTableCreated = true;
            }

            await DeleteStaleAsync(cancellationToken);
            var json = new ArrayBufferWriter<byte>(4096);
            await using (var rows = await connection.BeginBinaryImportAsync($"COPY {SpillTable} (id, data) FROM STDIN (FORMAT BINARY)", cancellationToken))
            {
                foreach (var (id, document) in Documents)
                {
                    await rows.StartRowAsync(cancellationToken);
                    await rows.WriteAsync(id, NpgsqlDbType.Text, cancellationToken);
                    await JsonbCopy.WriteAsync(rows, _serializer, json, document, cancellationToken);
                }

                await rows.CompleteAsync(cancellationToken);
            }

            _spilled.UnionWith(Documents.Keys);
            Spilled += Documents.Count;
            Documents.Clear();
            GC.Collect();
        }

        /// <summary>Brings the set-aside read models of these streams back into memory; their rows are stale from then on.</summary>
        private async Task ReadBackAsync(string[] keys, CancellationToken cancellationToken)
        {
            if (keys.Length == 0)
                return;
            await using var command = new NpgsqlCommand($"SELECT id, data FROM {SpillTable} WHERE id = ANY($1)", connection);
            command.Parameters.Add(new NpgsqlParameter<string[]>("", keys) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var id = reader.GetString(0);
                Documents[id] = await _serializer.FromJsonAsync<TDoc>(reader, 1, cancellationToken);
                _spilled.Remove(id);
                _stale.Add(id);
            }
        }

        private async Task DeleteStaleAsync(CancellationToken cancellationToken)
        {
            if (_stale.Count == 0)
                return;
            await using var delete = new NpgsqlCommand($"DELETE FROM {SpillTable} WHERE id = ANY($1)", connection);
            delete.Parameters.Add(new NpgsqlParameter<string[]>("", [.. _stale]) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            await delete.ExecuteNonQueryAsync(cancellationToken);
            _stale.Clear();
        }

        /// <summary>
        /// Every read model, in chunks: those in memory first, then the spill table's, read back a chunk at a time, so the
        /// swap needs no more memory than the fold did.
        /// </summary>
        public async IAsyncEnumerable<IReadOnlyCollection<TDoc>> AllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            yield return Documents.Values;
            if (!_spillTableCreated)
                yield break;
            await DeleteStaleAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"SELECT id, data FROM {SpillTable} WHERE id > $1 ORDER BY id LIMIT $2", connection);
            var after = new NpgsqlParameter<string>("", "") { NpgsqlDbType = NpgsqlDbType.Text };
            command.Parameters.Add(after);
            command.Parameters.Add(new NpgsqlParameter<int>("", pageSize) { NpgsqlDbType = NpgsqlDbType.Integer });
            var chunk = new List<TDoc>(pageSize);
            do
            {
                chunk.Clear();
                await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
                {
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        after.TypedValue = reader.GetString(0);
                        chunk.Add(await _serializer.FromJsonAsync<TDoc>(reader, 1, cancellationToken));
                    }
                }

                yield return chunk;
            }
            while (chunk.Count == pageSize);
        }

        public async ValueTask DisposeAsync()
        {
            if (!_spillTableCreated || connection.State != System.Data.ConnectionState.Open)
                return;
            try
            {
                await using var drop = new NpgsqlCommand($"DROP TABLE IF EXISTS {SpillTable}", connection);
                await drop.ExecuteNonQueryAsync();
            }
            catch (NpgsqlException)
            {
                // The session is broken and its temporary table goes with it; the failure that broke it is what matters.
            }
        }
    }

    /// <summary>
    /// One transaction: delete the old read models, COPY the new ones, set the projection's progress to the mark.
    /// Readers keep seeing the old read models until it commits; a crash before the commit leaves everything as it
    /// was (old read models, old progress), and the daemon carries on from there.
    /// </summary>
    private static async Task ReplaceAsync<TDoc>(
        DocumentStore store, string shard, NpgsqlConnection connection,
        Fold<TDoc> fold, long highWaterMark, CancellationToken cancellationToken)
        where TDoc : class
    {
        var tenant = store.Tenancy.Default;
        await tenant.Database.EnsureStorageExistsAsync(typeof(TDoc), cancellationToken);
        var table = DocumentStorage<TDoc>(store).TableName.QualifiedName;
        var loader = ((MartenDocumentProvider<TDoc>)tenant.Database.Providers.StorageFor<TDoc>()).BulkLoader;

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var delete = new NpgsqlCommand($"DELETE FROM {table}", connection, transaction))
            await delete.ExecuteNonQueryAsync(cancellationToken);
        await foreach (var documents in fold.AllAsync(cancellationToken))
            await loader.LoadAsync(tenant, store.Options.Serializer(), connection, documents, cancellationToken);
        await using (var progress = new NpgsqlCommand(
            $"INSERT INTO {store.Options.Events.DatabaseSchemaName}.mt_event_progression (name, last_seq_id, last_updated) VALUES ($1, $2, transaction_timestamp()) " +
            "ON CONFLICT (name) DO UPDATE SET last_seq_id = excluded.last_seq_id, last_updated = excluded.last_updated",
            connection, transaction))
        {
            progress.Parameters.Add(new NpgsqlParameter<string>("", shard));
            progress.Parameters.Add(new NpgsqlParameter<long>("", highWaterMark));
            await progress.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The stored type names of the projection's events, with the old names its upcasters read (as the daemon filters).</summary>
    private static string[] EventTypeNames<TDoc>(DocumentStore store, SingleStreamProjection<TDoc, string> projection)
        where TDoc : class
    {
        var graph = (EventGraph)store.Options.Events;
        var types = projection.AllEventTypes;
        // EventGraph.AliasesForEvents (what the daemon's event filter uses) is internal in Marten 9.58.
        var aliases = typeof(EventGraph).GetMethod("AliasesForEvents", BindingFlags.Instance | BindingFlags.NonPublic)?.Invoke(graph, [types]) as IEnumerable<string>
            ?? throw new InvalidOperationException("This Marten version has no EventGraph.AliasesForEvents; check how its daemon filters event types before rebuilding.");
        return [.. types.Select(t => graph.EventMappingFor(t).Alias).Union(aliases, StringComparer.Ordinal)];
    }

    /// <summary>Marten's storage of the read model: its table, and how it sets a document's id (the daemon sets it the same way).</summary>
    private static IDocumentStorage<TDoc, string> DocumentStorage<TDoc>(DocumentStore store)
        where TDoc : class =>
        (IDocumentStorage<TDoc, string>)store.Tenancy.Default.Database.Providers.StorageFor<TDoc>().Lightweight;
}
