using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Hub.EventStore;
using Hub.EventStore.Benchmarks;
using Hub.EventStore.Projections;
using Hub.Projections.HubSpot;
using Hub.Projections.Records;
using Hub.Sync.HubSpot;
using Hub.Sync.Records;
using Hub.Testing;
using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using Marten;
using Npgsql;

namespace Hub.HubSpot.Benchmarks;

/// <summary>
/// A rebuild of the HubSpot read model (<see cref="HubSpotRecordProjection"/>) from a log of N events, by Marten's
/// <c>RebuildProjectionAsync</c> and by the hub's <see cref="SingleStreamRebuild"/>, in rounds whose order alternates,
/// on one fresh database and Marten configured as Hub.Projections configures it. Every rebuild must end with the
/// documents of the first default rebuild, byte for byte (as jsonb), one per stream.
/// </summary>
internal static class Rebuild
{
    /// <summary>Events per contact stream: created, pushed, updated, pushed, updated (or deleted) — 3 record events to 2 pushes.</summary>
    public const int EventsPerStream = 5;

    private const string Documents = "hub.mt_doc_hubspotrecord";
    private const string Connection = "main";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(60);
    private static readonly string[] PipelineTags = ["investor", "pipeline"];
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 8, 0, 0, TimeSpan.Zero);

    public sealed record Row(string Name, long Events, TimeSpan Elapsed, TimeSpan ClientCpu, TimeSpan TotalCpu, long PeakRss)
    {
        public double Rate => Events / Elapsed.TotalSeconds;

        public double CpuRate => Events / TotalCpu.TotalSeconds;
    }

    public sealed record Result(long Events, int Streams, TimeSpan Seeding, bool ServerCpu, IReadOnlyList<Row> Default, IReadOnlyList<Row> Fast)
    {
        public static Row Sum(string name, IReadOnlyList<Row> rows) => new(
            $"{name} ({string.Join(" + ", rows.Select(r => r.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)))} s)",
            rows.Sum(r => r.Events),
            rows.Aggregate(TimeSpan.Zero, (s, r) => s + r.Elapsed),
            rows.Aggregate(TimeSpan.Zero, (s, r) => s + r.ClientCpu),
            rows.Aggregate(TimeSpan.Zero, (s, r) => s + r.TotalCpu),
            rows.Max(r => r.PeakRss));
    }

    /// <param name="interleaved">
    /// The log as the hub writes it: every contact created (the initial sync), then every push, then each later change
    /// and its push, contacts interleaved in every phase. Off: each stream's five events one after another (the order
    /// a bulk load leaves, where a default rebuild page holds whole streams: its best case).
    /// </param>
    public static async Task<Result> RunAsync(int events, int rounds, bool interleaved, long? memoryBudget = null)
    {
        var streams = events / EventsPerStream;
        await using var database = await PostgresDatabase.CreateAsync("bench_hubspot_rebuild");
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        using var store = DocumentStore.For(options =>
        {
            options.Connection(dataSource);
            EventStoreSetup.Configure(options, AutoCreate.None);
            options.AddRecordStreams().AddHubSpotReadModel();
            // This program starts and stops the daemon itself; no host runs it.
            options.Projections.AsyncMode = DaemonMode.ExternallyManaged;
        });
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        // The benchmark's own counts and comparisons, without parallel workers: a container's /dev/shm (64 MB) is too
        // small for their shared memory at this size. Marten and the hub's rebuild use the plain data source.
        await using var checks = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(database.ConnectionString)
        {
            Options = "-c max_parallel_workers_per_gather=0 -c max_parallel_maintenance_workers=0",
        }.ConnectionString);
        var meter = CpuMeter.For(await Hosts.ScalarAsync<int>(dataSource, "SELECT pg_backend_pid()"), database.Name);

        var seeding = Stopwatch.StartNew();
        await SeedAsync(store, streams);
        if (interleaved)
        {
            // Renumber the log phase by phase (version-major), contacts in a scattered order within each phase. Two
            // steps, so no row ever collides with another's old sequence number on the primary key.
            await Hosts.ExecuteAsync(checks, "UPDATE hub.mt_events SET seq_id = -seq_id");
            await Hosts.ExecuteAsync(checks, """
                UPDATE hub.mt_events e SET seq_id = o.n
                FROM (SELECT seq_id, row_number() OVER (ORDER BY version, md5(stream_id)) AS n FROM hub.mt_events) o
                WHERE e.seq_id = o.seq_id
                """);
        }

        seeding.Stop();
        var total = await Hosts.ScalarAsync<long>(checks, "SELECT count(*) FROM hub.mt_events");
        var wrongStreams = await Hosts.ScalarAsync<long>(checks, $"SELECT count(*) FROM hub.mt_streams WHERE version <> {EventsPerStream}");
        if (total != (long)streams * EventsPerStream || wrongStreams != 0)
            throw new InvalidOperationException($"Seeding left {total:N0} events ({wrongStreams:N0} streams not at version {EventsPerStream}); expected {(long)streams * EventsPerStream:N0}.");
        await Hosts.ExecuteAsync(checks, "VACUUM ANALYZE hub.mt_events, hub.mt_streams");
        var lastSequence = await Hosts.ScalarAsync<long>(checks, "SELECT max(seq_id) FROM hub.mt_events");

        var byDefault = new List<Row>();
        var fast = new List<Row>();
        for (var round = 0; round < rounds; round++)
        {
            var order = round % 2 == 0 ? new[] { false, true } : [true, false];
            foreach (var isFast in order)
            {
                // Each rebuild starts from spoilt read models (not timed): one that left the table alone fails the check.
                await Hosts.ExecuteAsync(checks, $"UPDATE {Documents} SET data = jsonb_set(data, '{{version}}', '0')");
                await Hosts.ExecuteAsync(checks, "CHECKPOINT");
                GC.Collect();
                Hosts.ResetPeakRss();
                var name = !isFast ? "Marten default rebuild (RebuildProjectionAsync)"
                    : memoryBudget is { } budget ? $"hub fast rebuild (SingleStreamRebuild, {budget >> 20} MiB heap budget)" : "hub fast rebuild (SingleStreamRebuild)";
                var cpu = meter.Now();
                var watch = Stopwatch.StartNew();
                using (var daemon = await store.BuildProjectionDaemonAsync())
                {
                    if (isFast)
                    {
                        var result = await SingleStreamRebuild.RunAsync<HubSpotRecord>(store, daemon, HubSpotRecordProjection.ProjectionName, memoryBudget: memoryBudget);
                        if (result.Events != total || result.HighWaterMark != lastSequence)
                            throw new InvalidOperationException($"The hub's rebuild read {result.Events:N0} events up to {result.HighWaterMark:N0}, expected {total:N0} up to {lastSequence:N0}.");
                        if (result.Spilled > 0)
                            Console.WriteLine($"  read models set aside in the database on the way (over the heap budget): {result.Spilled:N0}");
                    }
                    else
                    {
                        await daemon.RebuildProjectionAsync(HubSpotRecordProjection.ProjectionName, Timeout, CancellationToken.None);
                    }
                }

                watch.Stop();
                var after = meter.Now();
                var row = new Row(name, total, watch.Elapsed, after.Client - cpu.Client, after.Total - cpu.Total, Hosts.PeakRss(Environment.ProcessId));
                (isFast ? fast : byDefault).Add(row);
                Console.WriteLine($"  round {round + 1}: {name}: {row.Elapsed.TotalSeconds:F1} s, {row.Rate:N0} events/s");
                await VerifyAsync(checks, streams, lastSequence, name);
            }
        }

        return new Result(total, streams, seeding.Elapsed, meter.IncludesServer, byDefault, fast);
    }

    /// <summary>
    /// The first rebuild's documents become the reference; every later one must equal it, document for document.
    /// Both kinds must leave one document per stream at the stream's version and the projection's progress at the end.
    /// </summary>
    private static async Task VerifyAsync(NpgsqlDataSource checks, int streams, long lastSequence, string after)
    {
        var wrong = await Hosts.ScalarAsync<long>(checks, $"""
            SELECT count(*) FROM hub.mt_streams s FULL JOIN {Documents} d ON d.id = s.id
            WHERE s.id IS NULL OR d.id IS NULL OR (d.data->>'version')::bigint <> s.version
            """);
        var progress = await Hosts.ScalarAsync<long>(checks, "SELECT coalesce(max(last_seq_id), 0) FROM hub.mt_event_progression WHERE name = 'HubSpotRecord:All'");
        if (wrong != 0 || progress != lastSequence)
            throw new InvalidOperationException($"After {after}: {wrong:N0} of {streams:N0} read models disagree with their streams; progress {progress:N0} of {lastSequence:N0}.");

        if (!await Hosts.ScalarAsync<bool>(checks, "SELECT to_regclass('bench_reference') IS NOT NULL"))
        {
            await Hosts.ExecuteAsync(checks, $"CREATE TABLE bench_reference AS SELECT id, data FROM {Documents}");
            return;
        }

        var different = await Hosts.ScalarAsync<long>(checks, $"""
            SELECT count(*) FROM bench_reference r FULL JOIN {Documents} d ON d.id = r.id
            WHERE r.id IS NULL OR d.id IS NULL OR r.data IS DISTINCT FROM d.data
            """);
        if (different != 0)
            throw new InvalidOperationException($"After {after}: {different:N0} documents differ from the first rebuild's.");
    }

    /// <summary>
    /// Contact streams as the hub writes them, bulk-inserted (COPY) in chunks: observed, pushed, changed, pushed, changed
    /// again and not pushed yet (every 30th contact deleted instead: the source's deleted share).
    /// </summary>
    private static async Task SeedAsync(DocumentStore store, int streams)
    {
        const int Chunk = 10_000;
        var registry = (IEventRegistry)store.Options.Events;
        for (var from = 0; from < streams; from += Chunk)
        {
            var actions = Enumerable.Range(from, Math.Min(Chunk, streams - from))
                .Select(n => StreamAction.Start(registry, SourceRecord.StreamKey("propstreet", "contact", Id(n)), Contact(n)))
                .ToList();
            await store.BulkInsertEventsAsync(actions, 10_000, CancellationToken.None);
        }
    }

    private static string Id(int n) => (100_000 + n).ToString(CultureInfo.InvariantCulture);

    private static object[] Contact(int n)
    {
        var id = Id(n);
        var created = Start.AddMinutes(n % 10_000);
        var fields = JsonSerializer.SerializeToElement(new
        {
            id,
            firstName = $"First{n}",
            lastName = $"Last{n % 977}",
            email = $"First{n}.Last{n % 977}@example{n % 50}.com",
            phone = $"+46 70 {n % 1000:000} {n % 100:00} {n % 97:00}",
            strategy = (n % 4) switch { 0 => "core", 1 => "core-plus", 2 => "value-add", _ => "opportunistic" },
            uri = $"https://app.propstreet.com/network/contacts/{id}",
            tags = new[] { "investor", n % 3 == 0 ? "nordics" : "europe", $"segment-{n % 7}" },
            companies = new[]
            {
                new { id = $"{n % 2000}", name = $"Company {n % 2000} AB", jobTitle = "Head of Transactions", isPrimary = true },
                new { id = $"{(n + 1) % 2000}", name = $"Company {(n + 1) % 2000} AB", jobTitle = "Board member", isPrimary = false },
            },
            createdUtc = created,
            updatedUtc = created,
        });
        var deleted = n % 30 == 29;
        var changed = JsonSerializer.SerializeToElement(new { phone = $"+46 73 {n % 1000:000} {n % 100:00} 00", updatedUtc = created.AddDays(1) });
        var last = JsonSerializer.SerializeToElement(new { tags = PipelineTags, updatedUtc = created.AddDays(2) });
        return
        [
            new RecordCreated("propstreet", Connection, "contact", id, created, null, ETag(n, 1), fields),
            new HubSpotPushed("bench", (900_000_000 + n).ToString(CultureInfo.InvariantCulture), Hash(n, 1), 1, created.AddSeconds(5)),
            new RecordUpdated("propstreet", Connection, "contact", id, created.AddDays(1), null, ETag(n, 3), changed, []),
            new HubSpotPushed("bench", (900_000_000 + n).ToString(CultureInfo.InvariantCulture), Hash(n, 3), 3, created.AddDays(1).AddSeconds(5)),
            deleted
                ? new RecordDeleted("propstreet", Connection, "contact", id, created.AddDays(2), created.AddDays(2), ETag(n, 5), JsonSerializer.SerializeToElement(new { updatedUtc = created.AddDays(2) }), [], Unseen: false)
                : new RecordUpdated("propstreet", Connection, "contact", id, created.AddDays(2), null, ETag(n, 5), last, ["phone"]),
        ];
    }

    private static string ETag(int n, int version) => $"W/\"{n:x6}{version:x2}\"";

    private static string Hash(int n, int version) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{n}:{version}")));
}
