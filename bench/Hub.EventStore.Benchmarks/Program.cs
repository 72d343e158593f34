// Event store throughput on this machine, against the physical baseline of raw binary COPY.
// Usage: dotnet run -c Release --project bench/Hub.EventStore.Benchmarks -- [--events N] [--single N]
// Needs ConnectionStrings__Postgres (a server where it may create and drop a database).
using System.Diagnostics;
using System.Globalization;
using Hub.EventStore.Appending;
using Hub.EventStore.Benchmarks;
using Hub.EventStore.Reading;
using Hub.EventStore.Schema;
using Hub.EventStore.Types;
using Hub.EventStore.Writing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

var events = Option("--events", 100_000);
var single = Option("--single", Math.Min(events, 2_000));
const int BatchSize = 500;

var server = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres")
    ?? throw new InvalidOperationException("Set ConnectionStrings__Postgres to a server where the benchmark may create a database.");
var databaseName = $"bench_eventstore_{Guid.NewGuid():N}";
await ExecuteAsync(server, $"CREATE DATABASE \"{databaseName}\"");
try
{
    await using var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(server) { Database = databaseName, MaxPoolSize = 32 }.ConnectionString);
    await new SchemaMigrator(dataSource, NullLogger<SchemaMigrator>.Instance).MigrateAsync();
    var types = new EventTypeMap().Register<ContactObserved>("bench.contact.observed", 1);
    var appender = new EventAppender(dataSource, types, TimeProvider.System, NullLogger<EventAppender>.Instance);
    var reader = new EventReader(dataSource, types);
    var settings = await ScalarAsync(dataSource, "SELECT version() || ' | fsync=' || current_setting('fsync') || ', synchronous_commit=' || current_setting('synchronous_commit')");
    Console.WriteLine($"Server: {settings}");
    Console.WriteLine($"Machine: {Environment.ProcessorCount} logical cores, .NET {Environment.Version}; {events:N0} events, {single:N0} single appends");
    Console.WriteLine();

    // Warm-up (JIT, plan caches) in streams the measured runs do not touch.
    await appender.AppendBatchAsync(Pages("warmup", 1_000, BatchSize)[0]);
    await appender.AppendAsync("warmup-single", "bench-contact", ExpectedVersion.Any, [Event("warmup-single", 0)]);
    await reader.ReadAllAsync(LogPosition.Start, 1_000);

    var rows = new List<(string Name, long Events, TimeSpan Elapsed)>();

    // 1 + 2. Physical baseline and batched append, interleaved in 10 slices so that load from other processes on
    // this shared machine hits both alike. Baseline: one binary COPY per slice into a table shaped and indexed like
    // event_store.events. Append: pages of 500 records, one new stream each, one transaction per page.
    await ExecuteAsync(dataSource, "CREATE TABLE copy_baseline (LIKE event_store.events INCLUDING ALL)");
    var copyRows = Enumerable.Range(0, events).Select(i => Event("copy", i)).ToList();
    var pages = Pages("batch", events, BatchSize);
    const int Slices = 10;
    var copyTime = TimeSpan.Zero;
    var appendTime = TimeSpan.Zero;
    await ExecuteAsync(dataSource, "CHECKPOINT");
    for (var slice = 0; slice < Slices; slice++)
    {
        var from = slice * events / Slices;
        var to = (slice + 1) * events / Slices;
        var watch = Stopwatch.StartNew();
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            await using var importer = await connection.BeginBinaryImportAsync(
                "COPY copy_baseline (stream_id, version, event_id, type, data, metadata, recorded_at) FROM STDIN (FORMAT BINARY)");
            var now = DateTimeOffset.UtcNow;
            for (var i = from; i < to; i++)
            {
                await importer.StartRowAsync();
                await importer.WriteAsync($"copy-contact-{i}", NpgsqlDbType.Text);
                await importer.WriteAsync(1L, NpgsqlDbType.Bigint);
                await importer.WriteAsync(copyRows[i].EventId, NpgsqlDbType.Uuid);
                await importer.WriteAsync(types.TypeNameOf(typeof(ContactObserved)), NpgsqlDbType.Text);
                await importer.WriteAsync(System.Text.Json.JsonSerializer.Serialize(copyRows[i].Data, types.SerializerOptions), NpgsqlDbType.Jsonb);
                await importer.WriteAsync(MetadataJsonForBenchmark(copyRows[i].Metadata), NpgsqlDbType.Jsonb);
                await importer.WriteAsync(now, NpgsqlDbType.TimestampTz);
            }

            await importer.CompleteAsync();
        }

        copyTime += watch.Elapsed;
        watch.Restart();
        for (var p = from / BatchSize; p < to / BatchSize; p++)
            await appender.AppendBatchAsync(pages[p]);
        appendTime += watch.Elapsed;
    }

    rows.Add(($"binary COPY (baseline, {Slices} statements)", events, copyTime));
    rows.Add(($"batched append ({BatchSize} events/tx)", events, appendTime));

    // 3. Single-event appends, one call and one commit each: latency-bound by the WAL flush.
    await ExecuteAsync(dataSource, "CHECKPOINT");
    var singleWatch = Stopwatch.StartNew();
    for (var i = 0; i < single; i++)
        await appender.AppendAsync($"single-contact-{i % 100}", "bench-contact", ExpectedVersion.Any, [Event("single", i)]);
    rows.Add(("single-event appends, 1 writer", single, singleWatch.Elapsed));

    // 3b. The same from 8 concurrent writers, where PostgreSQL can group commits.
    await ExecuteAsync(dataSource, "CHECKPOINT");
    singleWatch.Restart();
    await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
    {
        for (var i = w; i < single; i += 8)
            await appender.AppendAsync($"single8-contact-{i % 100}", "bench-contact", ExpectedVersion.Any, [Event("single8", i)]);
    })));
    rows.Add(("single-event appends, 8 writers", single, singleWatch.Elapsed));

    // 4. Catch-up read of the whole global log, deserialised, in batches of 1,000 (what a rebuilding subscription
    // does). Three passes; the median counts.
    var total = long.Parse(await ScalarAsync(dataSource, "SELECT count(*)::text FROM event_store.events"), CultureInfo.InvariantCulture);
    await ExecuteAsync(dataSource, "VACUUM ANALYZE event_store.events");
    var passes = new List<TimeSpan>();
    for (var pass = 0; pass < 3; pass++)
    {
        var watch = Stopwatch.StartNew();
        long read = 0;
        var position = LogPosition.Start;
        while (true)
        {
            var batch = await reader.ReadAllAsync(position, 1_000);
            if (batch.Count == 0)
                break;
            read += batch.Count;
            position = batch[^1].LogPosition;
        }

        passes.Add(watch.Elapsed);
        if (read != total)
            throw new InvalidOperationException($"Read {read} events, but the log holds {total}.");
    }

    rows.Add(("catch-up read, global log (median of 3)", total, passes.Order().ElementAt(1)));

    var copyRate = rows[0].Events / rows[0].Elapsed.TotalSeconds;
    Console.WriteLine($"| {"Scenario",-42} | {"Events",9} | {"Seconds",8} | {"Events/s",10} | {"vs COPY",8} |");
    Console.WriteLine($"|{new string('-', 44)}|{new string('-', 11)}|{new string('-', 10)}|{new string('-', 12)}|{new string('-', 10)}|");
    foreach (var (name, count, elapsed) in rows)
    {
        var rate = count / elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name,-42} | {count,9:N0} | {elapsed.TotalSeconds,8:F2} | {rate,10:N0} | {rate / copyRate,7:P0} |"));
    }

    Console.WriteLine();
    Console.WriteLine("Targets (2 cores): batched append >= 40% of COPY; catch-up read >= 100,000 events/s.");
}
finally
{
    NpgsqlConnection.ClearAllPools();
    await ExecuteAsync(server, $"DROP DATABASE IF EXISTS \"{databaseName}\" WITH (FORCE)");
}

int Option(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}

static EventData Event(string prefix, int i) => new(
    DeterministicEventId.From("bench", prefix, i.ToString(CultureInfo.InvariantCulture)),
    new ContactObserved(
        $"{prefix}-{i}", $"Contact {i}", $"contact{i}@example.com", "+46 70 123 45 67", "Acme Fastigheter AB",
        ["buyer", "investor"], DateTimeOffset.UnixEpoch.AddSeconds(i), i),
    new EventMetadata(CorrelationId: $"page-{i / 500}", CausationId: $"observation-{i}", Source: "propstreet"));

static List<List<StreamAppend>> Pages(string prefix, int count, int pageSize) =>
    [.. Enumerable.Range(0, count)
        .Select(i => new StreamAppend($"{prefix}-contact-{i}", "bench-contact", ExpectedVersion.Any, [Event(prefix, i)]))
        .Chunk(pageSize)
        .Select(chunk => chunk.ToList())];

static string MetadataJsonForBenchmark(EventMetadata metadata) =>
    System.Text.Json.JsonSerializer.Serialize(metadata, MetadataOptions);

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


// Same shape as the store's metadata column.
internal static partial class Program
{
    private static readonly System.Text.Json.JsonSerializerOptions MetadataOptions = new(System.Text.Json.JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}
