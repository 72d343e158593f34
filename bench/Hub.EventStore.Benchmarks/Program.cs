// Event store throughput on this machine, against the physical baseline of raw binary COPY, all in one run on one
// fresh database: the hub's append path on Marten, the async daemon catching a projection up, a full rebuild of that
// projection with Marten's defaults, with tuned settings and with the hub's own SingleStreamRebuild, and a subscription
// receiving every event.
// Usage: dotnet run -c Release --project bench/Hub.EventStore.Benchmarks -- [--events N] [--rebuild "SETTINGS;SETTINGS"] [--rounds N]
// Servers: ConnectionStrings__Postgres when set (a server where it may create and drop a database), else Testcontainers.
using System.Diagnostics;
using System.Globalization;
using Hub.EventStore;
using Hub.EventStore.Benchmarks;
using Hub.EventStore.Projections;
using Hub.EventStore.Writing;
using Hub.ServiceDefaults.Postgres;
using JasperFx;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

var events = Option("--events", "100000", int.Parse);
// Rebuilds alternate between Marten's defaults and each tuning for this many rounds.
var rounds = Option("--rounds", "2", int.Parse);
// The optimized rebuilds (see README): a data source that prepares repeated statements (always planned for their
// parameters), alone and with every read model held in memory and written once, at the end of the rebuild.
var tunings = Option("--rebuild", "prepare=100,customplans;flush=1000000,prepare=100,customplans", spec => spec.Split(';').Select(RebuildTuning.Parse).ToList());
const int PageSize = 500;
const string FastRebuildName = "hub fast rebuild (COPY)";
// What the ingest consumer runs: 4 concurrent consumers, each appending one message's events in one session.
const int IngestConsumers = 4;
// Each append scenario writes its share of every slice in turn, so load from other processes on this shared
// machine hits all of them alike.
const int Slices = 10;
var timeout = TimeSpan.FromMinutes(30);

// ConnectionStrings__Postgres when set, else a PostgreSQL container started for this run (as the tests do).
var server = Hub.Testing.TestServers.Postgres;
var databaseName = $"bench_eventstore_{Guid.NewGuid():N}";
await ExecuteAsync(server, $"CREATE DATABASE \"{databaseName}\"");
try
{
    var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = databaseName, MaxPoolSize = 40 }.ConnectionString;
    await using var dataSource = NpgsqlDataSource.Create(connectionString);
    // Tunings that change connection settings get data sources of their own, closed with the run.
    var tunedSources = new List<NpgsqlDataSource>();

    // Marten as every hub host configures it, with the projection and the subscription on Marten's defaults.
    var probe = new CommitOrderProbe();
    using var store = await OpenStoreAsync(RebuildTuning.MartenDefaults, probe);
    var writer = new EventWriter(store, TimeProvider.System, NullLogger<EventWriter>.Instance);
    // The same store on the data source every hub host builds (AddPostgres; ADR 0009: Npgsql's automatic preparation).
    var hubSource = PostgresSetup.HubDataSource(connectionString, "bench").Build();
    tunedSources.Add(hubSource);
    using var hubStore = await OpenStoreAsync(RebuildTuning.MartenDefaults, subscription: null, hubSource);
    var hubWriter = new EventWriter(hubStore, TimeProvider.System, NullLogger<EventWriter>.Instance);
    const string HubSourceName = "the hosts' data source (Max Auto Prepare)";
    var serializer = store.Options.Serializer();
    var mapping = ((Marten.Events.EventGraph)store.Options.Events).EventMappingFor(typeof(ContactObserved));

    var settings = await ScalarAsync<string>(dataSource, "SELECT version() || ' | fsync=' || current_setting('fsync') || ', synchronous_commit=' || current_setting('synchronous_commit')");
    Console.WriteLine($"Server: {settings}");
    Row.Meter = CpuMeter.For(await ScalarAsync<int>(dataSource, "SELECT pg_backend_pid()"), databaseName);
    Console.WriteLine(Row.Meter.IncludesServer
        ? "CPU: this process and the server's processes (read from /proc)"
        : "CPU: this process only (the server's processes are not visible here)");
    Console.WriteLine($"Machine: {Environment.ProcessorCount} logical cores, .NET {Environment.Version}; {events:N0} events per append row, {PageSize} per transaction");
    Console.WriteLine();

    // Warm-up (JIT, plan caches) in streams the measured runs do not touch.
    await writer.WriteAsync("warmup", MartenPage(Contacts(-PageSize, PageSize, revision: 1), expectedVersion: null));
    await hubWriter.WriteAsync("warmup-hub", MartenPage(Contacts(-2 * PageSize, PageSize, revision: 1), expectedVersion: 0));

    // Baseline: one binary COPY per slice into a table shaped and indexed like mt_events. seq_id is written by the
    // client so the copy never draws on Marten's event sequence (a gap there would stall the daemon).
    await ExecuteAsync(dataSource, "CREATE TABLE copy_mt_events (LIKE hub.mt_events INCLUDING ALL)");
    var copyContacts = Contacts(0, events, revision: 1);
    var firstContacts = Contacts(events, events, revision: 1);
    var appends = new List<Row>
    {
        new("binary COPY into an mt_events-shaped table (baseline)", events, async (from, to) =>
        {
            await using var connection = await dataSource.OpenConnectionAsync();
            await using var importer = await connection.BeginBinaryImportAsync(
                "COPY copy_mt_events (seq_id, id, stream_id, version, data, type, timestamp, mt_dotnet_type) FROM STDIN (FORMAT BINARY)");
            var now = DateTimeOffset.UtcNow;
            for (var i = from; i < to; i++)
            {
                await importer.StartRowAsync();
                await importer.WriteAsync((long)i + 1, NpgsqlDbType.Bigint);
                await importer.WriteAsync(copyContacts[i].Id, NpgsqlDbType.Uuid);
                await importer.WriteAsync(copyContacts[i].StreamKey, NpgsqlDbType.Varchar);
                await importer.WriteAsync(1L, NpgsqlDbType.Bigint);
                await importer.WriteAsync(serializer.ToJson(copyContacts[i].Data), NpgsqlDbType.Jsonb);
                await importer.WriteAsync(mapping.EventTypeName, NpgsqlDbType.Varchar);
                await importer.WriteAsync(now, NpgsqlDbType.TimestampTz);
                await importer.WriteAsync(mapping.DotNetTypeName, NpgsqlDbType.Varchar);
            }

            await importer.CompleteAsync();
        }),
        // As the ingest consumer appends: each stream with the version its decision read (0: new), on the hosts' data source.
        Appending("hub append path (EventWriter), 1 session, new streams", hubWriter, 1, firstContacts, expectedVersion: 0),
        Appending($"hub append path (EventWriter), {IngestConsumers} sessions, new streams", hubWriter, IngestConsumers, Contacts(2 * events, events, revision: 1), expectedVersion: 0),
        // The steady state: contacts observed again. Slice by slice, these streams were created by the 1-session row.
        Appending($"hub append path (EventWriter), {IngestConsumers} sessions, existing streams", hubWriter, IngestConsumers, Contacts(events, events, revision: 2), expectedVersion: 1),
        // The path before ADR 0009, for comparison: no expected versions (so event ids are looked up first), Npgsql's defaults.
        Appending($"before ADR 0009: {IngestConsumers} sessions, new streams, ids looked up, no auto-prepare", writer, IngestConsumers, Contacts(3 * events, events, revision: 1), expectedVersion: null),
    };

    await ExecuteAsync(dataSource, "CHECKPOINT");
    for (var slice = 0; slice < Slices; slice++)
    {
        foreach (var row in appends)
            await row.MeasureAsync(slice * events / Slices, (slice + 1) * events / Slices);
    }

    appends.ForEach(row => row.Report());

    var total = await ScalarAsync<long>(dataSource, "SELECT count(*) FROM hub.mt_events");
    if (total != 4L * events + 2 * PageSize)
        throw new InvalidOperationException($"Marten holds {total:N0} events, expected {4L * events + 2 * PageSize:N0}.");
    var rows = new List<Row>(appends);

    // Async daemon catch-up: a new projection over the whole log, until its progress reaches the last event; then the
    // same again (progress and read models dropped: a new projection) on the proposed data source.
    var lastSequence = await ScalarAsync<long>(dataSource, "SELECT max(seq_id) FROM hub.mt_events");
    // Hint bits and statistics set now, so the first reader of the log does not pay for them alone.
    await ExecuteAsync(dataSource, "VACUUM ANALYZE hub.mt_events, hub.mt_streams");
    rows.Add(await CatchUpAsync(store, $"async daemon catch-up, {ContactSummaryProjection.ProjectionName} projection"));
    await ExecuteAsync(dataSource, $"DELETE FROM hub.mt_event_progression WHERE name LIKE '{ContactSummaryProjection.ProjectionName}:%'; TRUNCATE hub.mt_doc_contactsummary");
    rows.Add(await CatchUpAsync(hubStore, $"async daemon catch-up, {ContactSummaryProjection.ProjectionName} projection, {HubSourceName}"));

    // Full rebuilds of the same projection over the same log, with Marten's defaults and with each tuning, in rounds
    // whose order alternates, so drift in the machine's load hits all alike. Events and times add up over the rounds.
    var candidates = new List<(RebuildTuning Tuning, DocumentStore Store)> { (RebuildTuning.MartenDefaults, store) };
    foreach (var tuning in tunings.Where(t => !t.IsDefault))
        candidates.Add((tuning, await OpenStoreAsync(tuning, subscription: null)));
    // The last one is the hub's own rebuild (SingleStreamRebuild), on the hub's store.
    var measured = candidates.Select(_ => new List<Row>()).Append([]).ToList();
    for (var round = 0; round < rounds; round++)
    {
        var order = Enumerable.Range(0, candidates.Count + 1);
        foreach (var i in round % 2 == 0 ? order : order.Reverse())
            measured[i].Add(i < candidates.Count ? await RebuildAsync(candidates[i].Store, candidates[i].Tuning) : await FastRebuildAsync());
    }

    var defaultRebuild = RebuildRow(0, candidates[0].Tuning.ToString());
    rows.Add(defaultRebuild);
    rows.AddRange(Enumerable.Range(1, candidates.Count - 1).Select(i => RebuildRow(i, candidates[i].Tuning.ToString()) with { Reference = defaultRebuild }));
    rows.Add(RebuildRow(candidates.Count, FastRebuildName) with { Reference = defaultRebuild });
    foreach (var (_, tunedStore) in candidates.Skip(1))
        tunedStore.Dispose();

    // Subscription delivery: every event, from the start of the log, in commit order.
    await ExecuteAsync(dataSource, "CHECKPOINT");
    rows.Add(await Row.TimeAsync("subscription delivery (SubscriptionBase, commit order)", total, async () =>
    {
        using var daemon = await store.BuildProjectionDaemonAsync();
        await daemon.StartAgentAsync(probe.Name, CancellationToken.None);
        await WaitAsync(() => Task.FromResult(probe.Delivered >= total), timeout);
        await daemon.StopAllAsync();
    }));
    if (probe.Delivered != total || probe.OutOfOrder != 0)
        throw new InvalidOperationException($"The subscription received {probe.Delivered:N0} of {total:N0} events, {probe.OutOfOrder:N0} out of commit order.");

    foreach (var source in tunedSources)
        await source.DisposeAsync();

    Row.Print(rows);
    Console.WriteLine();
    Console.WriteLine("Targets (2 cores): the hub's append path >= 25% of COPY; the hub's rebuild >= 2x Marten's default rebuild.");
    Console.WriteLine("Every catch-up and rebuild left one read model per stream with its observation count and last version equal to the log.");

    async Task<DocumentStore> OpenStoreAsync(RebuildTuning tuning, CommitOrderProbe? subscription, NpgsqlDataSource? on = null)
    {
        var source = on ?? dataSource;
        if (tuning.MaxAutoPrepare > 0 || tuning.CustomPlans)
        {
            source = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString)
            {
                MaxAutoPrepare = tuning.MaxAutoPrepare,
                Options = tuning.CustomPlans ? "-c plan_cache_mode=force_custom_plan" : null,
            }.ConnectionString);
            tunedSources.Add(source);
        }

        var opened = DocumentStore.For(options =>
        {
            options.Connection(source);
            EventStoreSetup.Configure(options, AutoCreate.None);
            options.Map<ContactObserved>("contact.observed.v1");
            var projection = new ContactSummaryProjection();
            tuning.Apply(options, projection);
            options.Projections.Add(projection, ProjectionLifecycle.Async);
            if (subscription is not null)
                options.Events.Subscribe(subscription);
            // This program starts and stops the daemon itself (BuildProjectionDaemonAsync); no host runs it.
            options.Projections.AsyncMode = DaemonMode.ExternallyManaged;
        });
        await opened.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        return opened;
    }

    async Task<Row> CatchUpAsync(DocumentStore catchingUp, string name)
    {
        await ExecuteAsync(dataSource, "CHECKPOINT");
        var row = await Row.TimeAsync(name, total, async () =>
        {
            using var daemon = await catchingUp.BuildProjectionDaemonAsync();
            await daemon.StartAgentAsync(ContactSummaryProjection.ProjectionName, CancellationToken.None);
            await WaitAsync(async () => await ProgressAsync(catchingUp, ContactSummaryProjection.ProjectionName) >= lastSequence, timeout);
            await daemon.StopAllAsync();
        });
        await VerifyReadModelAsync(dataSource, name);
        return row;
    }

    async Task<Row> RebuildAsync(DocumentStore rebuilding, RebuildTuning tuning)
    {
        await ExecuteAsync(dataSource, "CHECKPOINT");
        var row = await Row.TimeAsync($"projection rebuild, {tuning}", total, async () =>
        {
            using var daemon = await rebuilding.BuildProjectionDaemonAsync();
            await daemon.RebuildProjectionAsync(ContactSummaryProjection.ProjectionName, timeout, CancellationToken.None);
        });
        await VerifyReadModelAsync(dataSource, row.Name);
        return row;
    }

    // The hub's rebuild replaces every read model; they are spoilt first (not timed), so one it left untouched fails
    // the check, and it still has a full table to replace, as Marten's rebuild does.
    async Task<Row> FastRebuildAsync()
    {
        await ExecuteAsync(dataSource, "UPDATE hub.mt_doc_contactsummary SET data = jsonb_set(data, '{observations}', '0')");
        await ExecuteAsync(dataSource, "CHECKPOINT");
        var row = await Row.TimeAsync($"projection rebuild, {FastRebuildName}", total, async () =>
        {
            using var daemon = await store.BuildProjectionDaemonAsync();
            var result = await SingleStreamRebuild.RunAsync<ContactSummary>(store, daemon, ContactSummaryProjection.ProjectionName);
            if (result.Events != total || result.HighWaterMark != lastSequence)
                throw new InvalidOperationException($"The hub's rebuild read {result.Events:N0} events up to {result.HighWaterMark:N0}, expected {total:N0} up to {lastSequence:N0}.");
        });
        await VerifyReadModelAsync(dataSource, row.Name);
        if (await ProgressAsync(store, ContactSummaryProjection.ProjectionName) != lastSequence)
            throw new InvalidOperationException($"After {row.Name}, the projection's progress is not at {lastSequence:N0}.");
        return row;
    }

    Row RebuildRow(int candidate, string name) => new(
        string.Create(CultureInfo.InvariantCulture, $"projection rebuild, {name} ({string.Join(" + ", measured[candidate].Select(r => $"{r.Elapsed.TotalSeconds:F1}"))} s)"),
        total * rounds)
    {
        Elapsed = measured[candidate].Aggregate(TimeSpan.Zero, (sum, r) => sum + r.Elapsed),
        Cpu = measured[candidate].Aggregate(TimeSpan.Zero, (sum, r) => sum + r.Cpu),
        ClientCpu = measured[candidate].Aggregate(TimeSpan.Zero, (sum, r) => sum + r.ClientCpu),
    };

    // Pages of 500 contacts, one event each, on streams propstreet-contact-{n}. Parallel sessions take whole pages from a
    // shared counter, so no two sessions ever write one stream.
    Row Appending(string name, EventWriter appender, int sessions, List<Contact> contacts, long? expectedVersion) => new(name, events, async (from, to) =>
    {
        var next = from / PageSize - 1;
        var last = to / PageSize;
        await Task.WhenAll(Enumerable.Range(0, sessions).Select(_ => Task.Run(async () =>
        {
            for (var p = Interlocked.Increment(ref next); p < last; p = Interlocked.Increment(ref next))
            {
                var page = contacts.GetRange(p * PageSize, PageSize);
                await appender.WriteAsync($"{page[0].StreamKey}-r{page[0].Data.Revision}", MartenPage(page, expectedVersion));
            }
        })));
    });
}
finally
{
    NpgsqlConnection.ClearAllPools();
    await ExecuteAsync(server, $"DROP DATABASE IF EXISTS \"{databaseName}\" WITH (FORCE)");
}

T Option<T>(string name, string fallback, Func<string, T> parse)
{
    var index = Array.IndexOf(args, name);
    return parse(index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback);
}

static List<Contact> Contacts(int first, int count, int revision) =>
    [.. Enumerable.Range(first, count).Select(n => Contact.Observed(n, revision))];

static List<StreamEvents> MartenPage(IReadOnlyList<Contact> page, long? expectedVersion) =>
    [.. page.Select(c => new StreamEvents(c.StreamKey, [new PendingEvent(c.Id, c.Data)], expectedVersion))];

static async Task<long> ProgressAsync(IDocumentStore store, string projectionName)
{
    var shards = await store.Advanced.AllProjectionProgress();
    return shards.Where(s => s.ShardName.StartsWith(projectionName + ":", StringComparison.Ordinal)).Select(s => s.Sequence).DefaultIfEmpty().Max();
}

static async Task WaitAsync(Func<Task<bool>> done, TimeSpan timeout)
{
    var watch = Stopwatch.StartNew();
    while (!await done())
    {
        if (watch.Elapsed > timeout)
            throw new TimeoutException($"Not done within {timeout}.");
        await Task.Delay(50);
    }
}

// One read model per stream whose observation count and last version match the stream: a rebuild that is fast
// because it skipped work would fail here.
static async Task VerifyReadModelAsync(NpgsqlDataSource dataSource, string after)
{
    var wrong = await ScalarAsync<long>(dataSource, """
        SELECT count(*) FROM hub.mt_streams s
        FULL JOIN hub.mt_doc_contactsummary d ON d.id = s.id
        WHERE s.id IS NULL OR d.id IS NULL
           OR (d.data->>'observations')::bigint <> s.version OR (d.data->>'lastVersion')::bigint <> s.version
        """);
    if (wrong != 0)
        throw new InvalidOperationException($"After {after}, {wrong:N0} read models disagree with their streams.");
}

static async Task ExecuteAsync(object target, string sql)
{
    if (target is NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
        return;
    }

    await using var connection = new NpgsqlConnection((string)target);
    await connection.OpenAsync();
    await using var admin = new NpgsqlCommand(sql, connection);
    await admin.ExecuteNonQueryAsync();
}

static async Task<T> ScalarAsync<T>(NpgsqlDataSource dataSource, string sql)
{
    await using var command = dataSource.CreateCommand(sql);
    return (T)(await command.ExecuteScalarAsync())!;
}
