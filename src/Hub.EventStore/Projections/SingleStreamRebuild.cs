using System.Data.Common;
using System.Reflection;
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

/// <summary>What a <see cref="SingleStreamRebuild"/> did: the log up to <see cref="HighWaterMark"/> folded into <see cref="Documents"/> read models.</summary>
public sealed record SingleStreamRebuildResult(string ProjectionName, long HighWaterMark, long Events, int Documents);

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
/// mark. Readers see the old read models until that commit. Every read model is held in memory until then.
/// </summary>
public static class SingleStreamRebuild
{
    /// <summary>
    /// Rebuilds <paramref name="projectionName"/>. Its agent on <paramref name="daemon"/> is paused for the catch-up and
    /// swap only, and started again afterwards if it was running; the caller makes sure no other process's daemon runs
    /// it meanwhile (as for Marten's own rebuild: on the host whose daemon runs the projection's agent).
    /// </summary>
    public static async Task<SingleStreamRebuildResult> RunAsync<TDoc>(
        DocumentStore store, IProjectionDaemon daemon, string projectionName, int pageSize = 10_000,
        IProgress<SingleStreamRebuildProgress>? progress = null, CancellationToken cancellationToken = default)
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
        var fold = new Fold<TDoc>(store, projection, connection, pageSize);

        // Only up to the daemon's high-water mark: below it every sequence number is committed or a gap the daemon
        // has decided to skip, so nothing read here can be joined later by a slower transaction.
        var building = await HighWaterMarkAsync(daemon, connection, schema, cancellationToken);
        var total = await fold.CountAsync(0, building, cancellationToken);
        await fold.RunAsync(0, building, folded => progress?.Report(new(SingleStreamRebuildPhase.Building, folded, total, fold.Documents.Count)), cancellationToken);

        var wasRunning = daemon.CurrentAgents().Any(a => a.Name.Identity == shard);
        await daemon.StopAgentAsync(shard);
        try
        {
            var highWaterMark = Math.Max(building, await HighWaterMarkAsync(daemon, connection, schema, cancellationToken));
            var before = fold.Events;
            total += await fold.CountAsync(building, highWaterMark, cancellationToken);
            await fold.RunAsync(building, highWaterMark, folded => progress?.Report(new(SingleStreamRebuildPhase.CatchingUp, before + folded, total, fold.Documents.Count)), cancellationToken);
            progress?.Report(new(SingleStreamRebuildPhase.Swapping, fold.Events, total, fold.Documents.Count));
            await ReplaceAsync(store, shard, connection, fold.Documents, highWaterMark, cancellationToken);
            progress?.Report(new(SingleStreamRebuildPhase.Done, fold.Events, total, fold.Documents.Count));
            return new SingleStreamRebuildResult(projection.Name, highWaterMark, fold.Events, fold.Documents.Count);
        }
        finally
        {
            // Also after a failure: the swap either committed or left the old read models and progress, both consistent.
            if (wasRunning)
                await daemon.StartAgentAsync(shard, CancellationToken.None);
        }
    }

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
    /// does per page. Successive ranges fold onto the same documents.
    /// </summary>
    private sealed class Fold<TDoc>(DocumentStore store, SingleStreamProjection<TDoc, string> projection, NpgsqlConnection connection, int pageSize)
        where TDoc : class
    {
        // A projection that names no event types (an Evolve override over IEvent) gets every event, as from the daemon.
        private readonly string _filter = "(cardinality($3) = 0 OR d.type = ANY($3))" + (projection.IncludeArchivedEvents ? "" : " AND d.is_archived = FALSE");
        private readonly string[] _types = EventTypeNames(store, projection);

        public Dictionary<string, TDoc> Documents { get; } = new(StringComparer.Ordinal);

        public long Events { get; private set; }

        public async Task<long> CountAsync(long after, long upTo, CancellationToken cancellationToken)
        {
            await using var command = new NpgsqlCommand(
                $"SELECT count(*) FROM {store.Options.Events.DatabaseSchemaName}.mt_events AS d WHERE d.seq_id > $1 AND d.seq_id <= $2 AND {_filter}", connection);
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
                $"WHERE d.seq_id > $1 AND d.seq_id <= $2 AND {_filter} ORDER BY d.seq_id LIMIT $4",
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
                if (page.Count < pageSize)
                    break;
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
        Dictionary<string, TDoc> documents, long highWaterMark, CancellationToken cancellationToken)
        where TDoc : class
    {
        var tenant = store.Tenancy.Default;
        await tenant.Database.EnsureStorageExistsAsync(typeof(TDoc), cancellationToken);
        var table = DocumentStorage<TDoc>(store).TableName.QualifiedName;
        var loader = ((MartenDocumentProvider<TDoc>)tenant.Database.Providers.StorageFor<TDoc>()).BulkLoader;

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var delete = new NpgsqlCommand($"DELETE FROM {table}", connection, transaction))
            await delete.ExecuteNonQueryAsync(cancellationToken);
        await loader.LoadAsync(tenant, store.Options.Serializer(), connection, documents.Values, cancellationToken);
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
