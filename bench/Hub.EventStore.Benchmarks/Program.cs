// Event store throughput on this machine, against the physical baseline of raw binary COPY, all in one run on one
// fresh database: the old hand-written store and Marten through the hub's append path (EventWriter), side by side.
// Usage: dotnet run -c Release --project bench/Hub.EventStore.Benchmarks -- [--events N]
// Needs ConnectionStrings__Postgres (a server where it may create and drop a database).
using System.Diagnostics;
using System.Globalization;
using Hub.EventStore;
using Hub.EventStore.Appending;
using Hub.EventStore.Benchmarks;
using Hub.EventStore.Schema;
using Hub.EventStore.Types;
using Hub.EventStore.Writing;
using JasperFx;
using Marten;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

var events = Option("--events", 100_000);
const int PageSize = 500;
// Each scenario writes its share of every slice in turn, so load from other processes on this shared machine hits
// all of them alike.
const int Slices = 10;

var server = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres")
    ?? throw new InvalidOperationException("Set ConnectionStrings__Postgres to a server where the benchmark may create a database.");
var databaseName = $"bench_eventstore_{Guid.NewGuid():N}";
await ExecuteAsync(server, $"CREATE DATABASE \"{databaseName}\"");
try
{
    await using var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(server) { Database = databaseName, MaxPoolSize = 40 }.ConnectionString);

    // The old hand-written store.
    await new SchemaMigrator(dataSource, NullLogger<SchemaMigrator>.Instance).MigrateAsync();
    var types = new EventTypeMap().Register<ContactObserved>("bench.contact.observed", 1);
    var appender = new EventAppender(dataSource, types, TimeProvider.System, NullLogger<EventAppender>.Instance);

    // Marten, configured as every hub host configures it.
    using var store = DocumentStore.For(options =>
    {
        options.Connection(dataSource);
        EventStoreSetup.Configure(options, AutoCreate.None);
        options.Map<ContactObserved>("contact.observed.v1");
    });
    await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
    var writer = new EventWriter(store, TimeProvider.System, NullLogger<EventWriter>.Instance);
    var serializer = store.Options.Serializer();

    var settings = await ScalarAsync(dataSource, "SELECT version() || ' | fsync=' || current_setting('fsync') || ', synchronous_commit=' || current_setting('synchronous_commit')");
    Console.WriteLine($"Server: {settings}");
    Console.WriteLine($"Machine: {Environment.ProcessorCount} logical cores, .NET {Environment.Version}; {events:N0} events per scenario, {PageSize} per transaction");
    Console.WriteLine();

    // Warm-up (JIT, plan caches) in streams the measured runs do not touch.
    await appender.AppendBatchAsync(OldPage(Contacts(-1, PageSize)));
    await writer.WriteAsync("warmup", MartenPage(Contacts(-1, PageSize)));

    // Baselines: one binary COPY per slice into tables shaped and indexed like the two stores' event tables.
    // seq_id is written by the client so the copy never draws on Marten's event sequence.
    await ExecuteAsync(dataSource, "CREATE TABLE copy_mt_events (LIKE hub.mt_events INCLUDING ALL)");
    await ExecuteAsync(dataSource, "CREATE TABLE copy_old_events (LIKE event_store.events INCLUDING ALL)");
    var eventTypeName = ((Marten.Events.EventGraph)store.Options.Events).EventMappingFor(typeof(ContactObserved)).EventTypeName;
    var dotnetTypeName = ((Marten.Events.EventGraph)store.Options.Events).EventMappingFor(typeof(ContactObserved)).DotNetTypeName;

    var copyContacts = Contacts(0, events);
    var scenarios = new List<Scenario>
    {
        new("binary COPY into an mt_events-shaped table (baseline)", async (from, to) =>
        {
            var contacts = copyContacts;
            await using var connection = await dataSource.OpenConnectionAsync();
            await using var importer = await connection.BeginBinaryImportAsync(
                "COPY copy_mt_events (seq_id, id, stream_id, version, data, type, timestamp, mt_dotnet_type) FROM STDIN (FORMAT BINARY)");
            var now = DateTimeOffset.UtcNow;
            for (var i = from; i < to; i++)
            {
                await importer.StartRowAsync();
                await importer.WriteAsync((long)i + 1, NpgsqlDbType.Bigint);
                await importer.WriteAsync(contacts[i].Id, NpgsqlDbType.Uuid);
                await importer.WriteAsync(contacts[i].StreamKey, NpgsqlDbType.Varchar);
                await importer.WriteAsync(1L, NpgsqlDbType.Bigint);
                await importer.WriteAsync(serializer.ToJson(contacts[i].Data), NpgsqlDbType.Jsonb);
                await importer.WriteAsync(eventTypeName, NpgsqlDbType.Varchar);
                await importer.WriteAsync(now, NpgsqlDbType.TimestampTz);
                await importer.WriteAsync(dotnetTypeName, NpgsqlDbType.Varchar);
            }

            await importer.CompleteAsync();
        }),
        new("binary COPY into an event_store.events-shaped table", async (from, to) =>
        {
            var contacts = copyContacts;
            await using var connection = await dataSource.OpenConnectionAsync();
            await using var importer = await connection.BeginBinaryImportAsync(
                "COPY copy_old_events (stream_id, version, event_id, type, data, metadata, recorded_at) FROM STDIN (FORMAT BINARY)");
            var now = DateTimeOffset.UtcNow;
            for (var i = from; i < to; i++)
            {
                await importer.StartRowAsync();
                await importer.WriteAsync(contacts[i].StreamKey, NpgsqlDbType.Text);
                await importer.WriteAsync(1L, NpgsqlDbType.Bigint);
                await importer.WriteAsync(contacts[i].Id, NpgsqlDbType.Uuid);
                await importer.WriteAsync(types.TypeNameOf(typeof(ContactObserved)), NpgsqlDbType.Text);
                await importer.WriteAsync(System.Text.Json.JsonSerializer.Serialize(contacts[i].Data, types.SerializerOptions), NpgsqlDbType.Jsonb);
                await importer.WriteAsync(System.Text.Json.JsonSerializer.Serialize(Metadata(contacts[i]), MetadataOptions), NpgsqlDbType.Jsonb);
                await importer.WriteAsync(now, NpgsqlDbType.TimestampTz);
            }

            await importer.CompleteAsync();
        }),
        PagedScenario("OLD store: batched append (EventAppender)", 1, 1, page => appender.AppendBatchAsync(OldPage(page))),
    };
    foreach (var (sessions, offset) in new[] { (1, 2), (2, 3), (4, 4), (8, 5) })
    {
        scenarios.Add(PagedScenario(
            $"Marten: hub append path (EventWriter), {sessions} session{(sessions == 1 ? "" : "s")}", sessions, offset,
            page => writer.WriteAsync($"page-{page[0].StreamKey}", MartenPage(page))));
    }

    await ExecuteAsync(dataSource, "CHECKPOINT");
    for (var slice = 0; slice < Slices; slice++)
    {
        var from = slice * events / Slices;
        var to = (slice + 1) * events / Slices;
        foreach (var scenario in scenarios)
        {
            var watch = Stopwatch.StartNew();
            await scenario.Run(from, to);
            scenario.Elapsed += watch.Elapsed;
        }
    }

    var copyRate = events / scenarios[0].Elapsed.TotalSeconds;
    Console.WriteLine($"| {"Scenario",-58} | {"Events",9} | {"Seconds",8} | {"Events/s",10} | {"vs COPY",8} |");
    Console.WriteLine($"|{new string('-', 60)}|{new string('-', 11)}|{new string('-', 10)}|{new string('-', 12)}|{new string('-', 10)}|");
    foreach (var scenario in scenarios)
    {
        var rate = events / scenario.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {scenario.Name,-58} | {events,9:N0} | {scenario.Elapsed.TotalSeconds,8:F2} | {rate,10:N0} | {rate / copyRate,7:P0} |"));
    }

    var martenEvents = long.Parse(await ScalarAsync(dataSource, "SELECT count(*)::text FROM hub.mt_events"), CultureInfo.InvariantCulture);
    if (martenEvents != 4L * events + PageSize)
        throw new InvalidOperationException($"Marten holds {martenEvents} events, expected {4L * events + PageSize}.");
    Console.WriteLine();
    Console.WriteLine("Target (2 cores): the hub's append path >= 25% of COPY.");
}
finally
{
    NpgsqlConnection.ClearAllPools();
    await ExecuteAsync(server, $"DROP DATABASE IF EXISTS \"{databaseName}\" WITH (FORCE)");
}

// Pages of 500 contacts, one event each, on streams propstreet-contact-{n}; each scenario gets its own range of n so
// all of them create new streams. Parallel sessions take whole pages from a shared counter: disjoint streams.
Scenario PagedScenario(string name, int sessions, int rangeIndex, Func<IReadOnlyList<Contact>, Task> write)
{
    var contacts = Contacts(rangeIndex * events, events);
    return new Scenario(name, async (from, to) =>
    {
        var next = from / PageSize - 1;
        var last = to / PageSize;
        await Task.WhenAll(Enumerable.Range(0, sessions).Select(_ => Task.Run(async () =>
        {
            for (var p = Interlocked.Increment(ref next); p < last; p = Interlocked.Increment(ref next))
                await write(contacts.GetRange(p * PageSize, PageSize));
        })));
    });
}

int Option(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}

static List<Contact> Contacts(int first, int count) =>
    [.. Enumerable.Range(first, count).Select(n => Contact.Observed(n, revision: 1))];

static List<StreamAppend> OldPage(IReadOnlyList<Contact> page) =>
    [.. page.Select(c => new StreamAppend(c.StreamKey, "propstreet-contact", ExpectedVersion.Any, [new EventData(c.Id, c.Data, Metadata(c))]))];

static List<StreamEvents> MartenPage(IReadOnlyList<Contact> page) =>
    [.. page.Select(c => new StreamEvents(c.StreamKey, [new PendingEvent(c.Id, c.Data)]))];

static EventMetadata Metadata(Contact contact) =>
    new(CorrelationId: $"page-{contact.Data.Revision}", CausationId: $"observation-{contact.Data.ContactId}", Source: "propstreet");

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

static async Task<string> ScalarAsync(NpgsqlDataSource dataSource, string sql)
{
    await using var command = dataSource.CreateCommand(sql);
    return (string)(await command.ExecuteScalarAsync())!;
}

internal static partial class Program
{
    // Same shape as the old store's metadata column.
    private static readonly System.Text.Json.JsonSerializerOptions MetadataOptions = new(System.Text.Json.JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}
