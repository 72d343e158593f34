extern alias sandbox;

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Hub.EventStore.Benchmarks;
using Hub.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Hub.HubSpot.Benchmarks;

/// <summary>
/// N Propstreet contacts through the whole path: the sandbox (in-process, on Kestrel) → a Hub.Ingest process →
/// RabbitMQ → a Hub.Projections process (append, inline record state, async HubSpot read model, HubSpotPush) → the
/// HubSpot sandbox, every rate limit off. Times come from the sandbox's first request and from commit timestamps in
/// the store (the server's clock is this machine's), and the HubSpot read model's progress sampled while it runs.
/// </summary>
internal static class EndToEnd
{
    private const string Connection = "bench";
    private const string SandboxToken = "sandbox-hubspot-token";
    private const string RecordEvents = "type IN ('record.created.v1', 'record.updated.v1', 'record.deleted.v1', 'record.revived.v1')";
    private const string Pushed = "type = 'hubspot.pushed.v1'";
    private const string Settled = "type IN ('hubspot.pushed.v1', 'hubspot.parked.v1')";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(30);

    public sealed record Result(
        int Contacts, long RecordEventCount, int LiveInHubSpot, long Parked, string? ParkedReason,
        double EndToEnd, double IngestOnly, double ReadModelFirst, double ReadModel, double PushFirst, double PushLast,
        long IngestRss, long ProjectionsRss, CpuSpent Cpu, long Tombstones)
    {
        public double EndToEndRate => Contacts / EndToEnd;

        public double PushRate => Contacts / (PushLast - PushFirst);

        /// <summary>Each stage's throughput over its own active window, and the slowest of them.</summary>
        public IReadOnlyList<(string Stage, double Seconds, double Rate)> Stages =>
        [
            ("Ingest → RabbitMQ → store append (first request → last record event committed)", IngestOnly, Contacts / IngestOnly),
            ("HubSpot read model (first progress → caught up with the last record event; sampled)", ReadModel - ReadModelFirst, Contacts / (ReadModel - ReadModelFirst)),
            ("HubSpotPush (first → last hubspot.pushed.v1 / .parked.v1 committed)", PushLast - PushFirst, PushRate),
        ];
    }

    /// <summary>CPU-seconds each process spent from Ingest's start to the end; the server's is null when it is not visible here.</summary>
    public sealed record CpuSpent(TimeSpan Ingest, TimeSpan Projections, TimeSpan SandboxAndBenchmark, TimeSpan? PostgreSql, TimeSpan? RabbitMq)
    {
        public TimeSpan Total => Ingest + Projections + SandboxAndBenchmark + (PostgreSql ?? TimeSpan.Zero) + (RabbitMq ?? TimeSpan.Zero);
    }

    /// <summary>RabbitMQ's Erlang VM: on the same cores when the broker runs on this machine.</summary>
    private const string Broker = "beam.smp";

    /// <param name="hubSpotLatency">Added to every HubSpot request before the sandbox answers, as HubSpot across the internet.</param>
    /// <param name="concurrentBatches">The connection's <c>ConcurrentBatches</c>; null leaves the hub's default.</param>
    /// <param name="splitCores">
    /// The hub's processes on core 0 alone, the servers, sandboxes and this benchmark on core 1: the deployment's
    /// shape (the hub on cores of its own) at the scale of this machine.
    /// </param>
    public static async Task<Result> RunAsync(int contacts, TimeSpan hubSpotLatency = default, int? concurrentBatches = null, bool splitCores = false)
    {
        var ingestDll = Hosts.Dll("Hub.Ingest");
        var projectionsDll = Hosts.Dll("Hub.Projections");
        using var sandbox = Sandbox.Start(contacts, hubSpotLatency);
        await using var database = await PostgresDatabase.CreateAsync("bench_hubspot_e2e");
        await using var broker = await RabbitMqVirtualHost.CreateAsync("bench_hubspot_e2e");
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);

        var projectionsSettings = new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = database.ConnectionString,
            ["ConnectionStrings__RabbitMq"] = broker.Amqp.ToString(),
            ["EventStore__ApplySchemaOnStartup"] = "true", // a fresh database, no migrate step
            [$"HubSpot__Connections__{Connection}__BaseUrl"] = sandbox.BaseUrl.ToString(),
            [$"HubSpot__Connections__{Connection}__AccessToken"] = SandboxToken,
            // Rate limits off on the client too: its shared burst budget would hold it at 100 requests per 10 s.
            [$"HubSpot__Connections__{Connection}__BurstLimit"] = "1000000",
        };
        if (concurrentBatches is { } batches)
            projectionsSettings[$"HubSpot__Connections__{Connection}__ConcurrentBatches"] = batches.ToString(CultureInfo.InvariantCulture);
        int? hubCpu = splitCores ? 0 : null;
        if (splitCores)
            await Hosts.PinAsync("1", "postgres", Broker);
        using var projections = Hosts.Start(projectionsDll, projectionsSettings, hubCpu);
        Process? ingest = null;
        try
        {
            await Hosts.WaitAsync("Projections start-up",
                async () => await Hosts.ScalarAsync<bool>(dataSource, "SELECT to_regclass('hub.mt_events') IS NOT NULL"),
                () => projections.HasExited ? "Projections exited" : null, TimeSpan.FromMinutes(2));
            await Task.Delay(TimeSpan.FromSeconds(2)); // its bus, consumers and daemon connecting
            var meter = CpuMeter.For(await Hosts.ScalarAsync<int>(dataSource, "SELECT pg_backend_pid()"), database.Name);
            var (cpuBefore, projectionsBefore, brokerBefore) = (meter.Now(), Hosts.Cpu(projections.Id), Hosts.CpuOfProcessesNamed(Broker));

            ingest = Hosts.Start(ingestDll, new Dictionary<string, string>
            {
                ["ConnectionStrings__Postgres"] = database.ConnectionString,
                ["ConnectionStrings__RabbitMq"] = broker.Amqp.ToString(),
                ["Ingest__Connections__bench__Source"] = "propstreet",
                ["Ingest__Connections__bench__BaseUrl"] = sandbox.BaseUrl.ToString(),
                ["Ingest__Connections__bench__Token"] = Sandbox.IngestToken,
                ["Ingest__Connections__bench__Resources__0"] = "contacts",
                ["Ingest__Connections__bench__Schedule"] = "01:00:00",
            }, hubCpu);

            // The read model's progress, sampled: when it passed the last record event is known only afterwards.
            var samples = new List<(DateTime At, long Progress)>();
            var settled = new SettledStreams(dataSource);
            await Hosts.WaitAsync("End to end",
                async () =>
                {
                    var progress = await Hosts.ScalarAsync<long>(dataSource, "SELECT coalesce(max(last_seq_id), 0) FROM hub.mt_event_progression WHERE name = 'HubSpotRecord:All'");
                    samples.Add((DateTime.UtcNow, progress));
                    // Every contact has an outcome, and none waits for another (a contact deleted after its first push
                    // has one already, and its archive is still to come).
                    return await settled.CountAsync() >= contacts && await NothingPendingAsync(dataSource, progress);
                },
                () => projections.HasExited ? "Projections exited" : ingest.HasExited ? "Ingest exited" : null, Timeout);

            var (cpuAfter, projectionsAfter, ingestAfter, brokerAfter) = (meter.Now(), Hosts.Cpu(projections.Id), Hosts.Cpu(ingest.Id), Hosts.CpuOfProcessesNamed(Broker));
            var cpu = new CpuSpent(ingestAfter, projectionsAfter - projectionsBefore, cpuAfter.Client - cpuBefore.Client,
                meter.IncludesServer ? cpuAfter.Total - cpuBefore.Total - (cpuAfter.Client - cpuBefore.Client) : null,
                brokerAfter - brokerBefore);
            var first = sandbox.FirstRequest ?? throw new InvalidOperationException("The sandbox saw no request from Ingest.");
            // Marten's own mt_tombstone stream (events standing in for an append that failed, e.g. a race the writer retried) is no record.
            var streams = await Hosts.ScalarAsync<long>(dataSource, "SELECT count(*) FROM hub.mt_streams WHERE id <> 'mt_tombstone'");
            var tombstones = await Hosts.ScalarAsync<long>(dataSource, "SELECT count(*) FROM hub.mt_events WHERE stream_id = 'mt_tombstone'");
            if (streams != contacts)
                throw new InvalidOperationException($"The store holds {streams:N0} streams, expected {contacts:N0}; others: " +
                    await Hosts.ScalarAsync<string?>(dataSource, "SELECT string_agg(id, ', ') FROM (SELECT id FROM hub.mt_streams WHERE id NOT LIKE 'propstreet-contact-%' LIMIT 5) s"));
            var recordEvents = await Hosts.ScalarAsync<long>(dataSource, $"SELECT count(*) FROM hub.mt_events WHERE {RecordEvents}");
            var lastRecord = await Hosts.ScalarAsync<DateTime>(dataSource, $"SELECT max(timestamp) FROM hub.mt_events WHERE {RecordEvents}");
            var lastRecordSeq = await Hosts.ScalarAsync<long>(dataSource, $"SELECT max(seq_id) FROM hub.mt_events WHERE {RecordEvents}");
            var firstPush = await Hosts.ScalarAsync<DateTime>(dataSource, $"SELECT min(timestamp) FROM hub.mt_events WHERE {Settled}");
            var lastPush = await Hosts.ScalarAsync<DateTime>(dataSource, $"SELECT max(timestamp) FROM hub.mt_events WHERE {Settled}");
            // HubSpot refuses a second contact with an e-mail it holds (409); the push parks those with the reason.
            var parked = await Hosts.ScalarAsync<long>(dataSource, "SELECT count(DISTINCT stream_id) FROM hub.mt_events WHERE type = 'hubspot.parked.v1'");
            var reason = await Hosts.ScalarAsync<string?>(dataSource, "SELECT min(data->>'reason') FROM hub.mt_events WHERE type = 'hubspot.parked.v1'");
            var readModel = samples.First(s => s.Progress >= lastRecordSeq).At;
            var readModelFirst = samples.First(s => s.Progress > 0).At;

            // HubSpot holds every live contact pushed: the sandbox's own count against the store's live records with a push.
            var expectedLive = (int)await Hosts.ScalarAsync<long>(dataSource, $"""
                SELECT count(*) FROM hub.mt_doc_sourcerecord r
                WHERE r.data->>'deletedUtc' IS NULL AND EXISTS (SELECT 1 FROM hub.mt_events e WHERE e.stream_id = r.id AND e.{Pushed})
                """);
            var stats = await sandbox.Control.GetFromJsonAsync<JsonElement>(new Uri("/_sandbox/hubspot/stats", UriKind.Relative));
            var live = stats.GetProperty("objects").GetProperty("contacts").GetProperty("live").GetInt32();
            if (live != expectedLive)
                throw new InvalidOperationException($"The HubSpot sandbox holds {live:N0} live contacts, expected {expectedLive:N0}. " + await DifferenceAsync(sandbox, dataSource));

            double Since(DateTime at) => (at - first.UtcDateTime).TotalSeconds;
            return new Result(contacts, recordEvents, live, parked, reason,
                Since(lastPush), Since(lastRecord), Since(readModelFirst), Since(readModel), Since(firstPush), Since(lastPush),
                Hosts.PeakRss(ingest.Id), Hosts.PeakRss(projections.Id), cpu, tombstones);
        }
        finally
        {
            if (ingest is not null)
                await Hosts.StopAsync(ingest);
            ingest?.Dispose();
            await Hosts.StopAsync(projections);
            if (splitCores)
                await Hosts.PinAsync($"0-{Environment.ProcessorCount - 1}", "postgres", Broker);
        }
    }

    /// <summary>The sandbox (Propstreet and HubSpot) on Kestrel with N contacts and every rate limit off; Ingest's first request recorded.</summary>
    private sealed class Sandbox : WebApplicationFactory<sandbox::Program>
    {
        public const string IngestToken = "bench-ingest";

        private readonly int _contacts;
        private readonly TimeSpan _hubSpotLatency;
        private readonly ConcurrentBag<DateTimeOffset> _requests = [];

        private Sandbox(int contacts, TimeSpan hubSpotLatency) => (_contacts, _hubSpotLatency) = (contacts, hubSpotLatency);

        public Uri BaseUrl => ClientOptions.BaseAddress;

        public HttpClient Control { get; private set; } = null!;

        public DateTimeOffset? FirstRequest => _requests.IsEmpty ? null : _requests.Min();

        public static Sandbox Start(int contacts, TimeSpan hubSpotLatency)
        {
            var sandbox = new Sandbox(contacts, hubSpotLatency);
            sandbox.UseKestrel(0);
            sandbox.StartServer();
            sandbox.Control = sandbox.CreateClient();
            return sandbox;
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseContentRoot(Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../src/Hub.Sandbox")));
            builder.UseSetting("Sandbox:AdminEnabled", "true");
            builder.UseSetting("Serilog:MinimumLevel:Default", "Warning");
            builder.UseSetting("Sandbox:Sizes:Contacts", _contacts.ToString(CultureInfo.InvariantCulture));
            builder.UseSetting("Sandbox:Sizes:Companies", "10");
            builder.UseSetting("Sandbox:Sizes:Projects", "2");
            builder.UseSetting("Sandbox:Sizes:Leads", "10");
            builder.UseSetting("Sandbox:Propstreet:RateLimitPerMinute", "0");
            builder.UseSetting("Sandbox:HubSpot:RateLimitsEnabled", "false");
            builder.UseSetting("Sandbox:HubSpot:SearchVisibilityDelayMs", "0");
            builder.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new Record(_requests, _hubSpotLatency)));
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                Control?.Dispose();
            base.Dispose(disposing);
        }

        /// <summary>Records Ingest's requests and delays HubSpot's (the sandbox's fault latency would delay Propstreet's too).</summary>
        private sealed class Record(ConcurrentBag<DateTimeOffset> log, TimeSpan hubSpotLatency) : IStartupFilter
        {
            public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
            {
                app.Use(async (HttpContext context, RequestDelegate inner) =>
                {
                    if (context.Request.Path.StartsWithSegments("/api/v1/network/contacts") && context.Request.Headers.Authorization == $"Bearer {IngestToken}")
                        log.Add(DateTimeOffset.UtcNow);
                    if (hubSpotLatency > TimeSpan.Zero && context.Request.Path.StartsWithSegments("/crm"))
                        await Task.Delay(hubSpotLatency, context.RequestAborted);
                    await inner(context);
                });
                next(app);
            };
        }
    }

    /// <summary>The contacts HubSpot and the store disagree on (at most five), each with its stream's events: what a failed check needs.</summary>
    private static async Task<string> DifferenceAsync(Sandbox sandbox, NpgsqlDataSource dataSource)
    {
        var inHubSpot = new HashSet<string>(StringComparer.Ordinal);
        for (string? after = null; ;)
        {
            using var list = new HttpRequestMessage(HttpMethod.Get, new Uri($"/crm/v3/objects/contacts?limit=100&properties=propstreet_id{(after is null ? "" : "&after=" + after)}", UriKind.Relative));
            list.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", SandboxToken);
            using var response = await sandbox.Control.SendAsync(list);
            var page = await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
            foreach (var contact in page.GetProperty("results").EnumerateArray())
                inHubSpot.Add(contact.GetProperty("properties").GetProperty("propstreet_id").GetString() ?? "");
            after = page.TryGetProperty("paging", out var paging) ? paging.GetProperty("next").GetProperty("after").GetString() : null;
            if (after is null)
                break;
        }

        var expected = new HashSet<string>(StringComparer.Ordinal);
        await using (var command = dataSource.CreateCommand($"""
            SELECT r.data->>'recordId' FROM hub.mt_doc_sourcerecord r
            WHERE r.data->>'deletedUtc' IS NULL AND EXISTS (SELECT 1 FROM hub.mt_events e WHERE e.stream_id = r.id AND e.{Pushed})
            """))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
                expected.Add(reader.GetString(0));
        }

        var details = new List<string>();
        foreach (var id in inHubSpot.Except(expected).Select(i => (Id: i, Side: "only in HubSpot")).Concat(expected.Except(inHubSpot).Select(i => (Id: i, Side: "only in the store"))).Take(5))
        {
            var events = await Hosts.ScalarAsync<string?>(dataSource, $"""
                SELECT string_agg(e.version || ' ' || e.type || ' ' || left(e.data::text, 300), ' | ' ORDER BY e.version)
                FROM hub.mt_events e JOIN hub.mt_doc_sourcerecord r ON r.id = e.stream_id WHERE r.data->>'recordId' = '{id.Id}'
                """);
            details.Add($"{id.Side}: {id.Id}: {events}");
        }

        return string.Join(Environment.NewLine, details);
    }

    /// <summary>
    /// The read model has folded the whole log, and no record in it is out of sync with the connection and not parked
    /// at its content (the push's own test, <c>HubSpotRecord.PendingOn</c>, in SQL as the sync status reads it).
    /// </summary>
    private static async Task<bool> NothingPendingAsync(NpgsqlDataSource dataSource, long readModelProgress) =>
        readModelProgress >= await Hosts.ScalarAsync<long>(dataSource, "SELECT coalesce(max(last_seq_id), 0) FROM hub.mt_event_progression WHERE name = 'HighWaterMark'")
        && await Hosts.ScalarAsync<long>(dataSource, $"""
            SELECT count(*) FROM hub.mt_doc_hubspotrecord
            WHERE data->>'hash' IS NOT NULL
              AND (data->'connections'->'{Connection}'->>'hash') IS DISTINCT FROM (data->>'hash')
              AND (data->'connections'->'{Connection}'->'parked'->>'hash') IS DISTINCT FROM (data->>'hash')
            """) == 0;

    /// <summary>
    /// The streams with a push outcome so far, read a little at a time: each poll reads only the outcomes above the
    /// store's high-water mark of the poll before (below it every sequence number is committed, so nothing is missed),
    /// by the primary key. A <c>count(DISTINCT ...)</c> over the whole log every 100 ms cost PostgreSQL a third of its
    /// time in the run it measured.
    /// </summary>
    private sealed class SettledStreams(NpgsqlDataSource dataSource)
    {
        private readonly HashSet<string> _streams = new(StringComparer.Ordinal);
        private long _committedBelow;

        public async Task<int> CountAsync()
        {
            var mark = await Hosts.ScalarAsync<long>(dataSource, "SELECT coalesce(max(last_seq_id), 0) FROM hub.mt_event_progression WHERE name = 'HighWaterMark'");
            await using var command = dataSource.CreateCommand($"SELECT stream_id FROM hub.mt_events WHERE seq_id > $1 AND {Settled}");
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = _committedBelow });
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                    _streams.Add(reader.GetString(0));
            }

            _committedBelow = Math.Max(_committedBelow, mark);
            return _streams.Count;
        }
    }
}
