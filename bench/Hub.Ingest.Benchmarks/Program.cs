// Ingest's polling throughput: an initial sync of N sandbox contacts through a real Hub.Ingest process (checkpoints
// in PostgreSQL, one message per page to hub-observations with publisher confirms), beside the bare fetch of the
// same pages in the same run; then end to end, Ingest and Hub.Projections processes together until the last event
// is committed in the store; then the Ingest sync under the documented 600 requests/min; and each host's peak RSS.
// Usage: eval "$(scripts/docker.sh env)"; dotnet run -c Release --project bench/Hub.Ingest.Benchmarks -- [--contacts N]
//        [--concurrency N] (Projections:ObservationConcurrency) [--limited-page-size N] [--host-env KEY=VALUE ...]
// Servers: ConnectionStrings__Postgres / __RabbitMq when set, else Testcontainers (as the tests).
extern alias sandbox;

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Hub.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

var contacts = Option("--contacts", 100_000);
const int PageSize = 500;
const int LimitPerMinute = 600;
const double RssTargetMb = 250;
var pages = (contacts + PageSize - 1) / PageSize;
// The consumer's concurrency in the end-to-end run (Projections:ObservationConcurrency; the host's default when 0).
var concurrency = Option("--concurrency", 0);
// A second limited run with smaller pages, so the sync needs more requests than one window of the limit holds.
var limitedPageSize = Option("--limited-page-size", 100);
// --limited 0 skips the runs with the rate limit on (they take a minute or more).
var runLimited = Option("--limited", 1) != 0;
// --e2e 0 skips the end-to-end run.
var runEndToEnd = Option("--e2e", 1) != 0;
// Extra environment for both hosts (GC experiments): --host-env DOTNET_GCgen0size=0x4000000
var hostEnvironment = Environment.GetCommandLineArgs().Select((arg, i) => (arg, i)).Where(a => a.arg == "--host-env")
    .Select(a => Environment.GetCommandLineArgs()[a.i + 1].Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
var ingestDll = HostDll("Hub.Ingest");
var projectionsDll = HostDll("Hub.Projections");

Console.WriteLine($"Machine: {Environment.ProcessorCount} logical cores, .NET {Environment.Version}; {contacts:N0} contacts, {pages} pages of {PageSize}");
if (hostEnvironment.Count > 0)
    Console.WriteLine($"Host environment: {string.Join(' ', hostEnvironment.Select(kv => $"{kv.Key}={kv.Value}"))}");
Console.WriteLine();

var rows = new List<(string Name, double Seconds, string Note)>();
var rss = new List<(string Host, string Run, long Bytes)>();

// 1. Rate limit off: bare fetch, then Ingest, against the same sandbox data.
using (var sandbox = Sandbox.Start(contacts, rateLimitPerMinute: 0))
{
    await BareFetchAsync(sandbox, warmUp: true);
    var bare = await BareFetchAsync(sandbox, warmUp: false);
    rows.Add(("bare fetch (GET + parse, limit off)", bare, ""));

    var (ingest, ingestRss) = await IngestSyncAsync(sandbox, "unlimited", PageSize);
    rows.Add(("Ingest initial sync (limit off)", ingest, ""));
    rss.Add(("Ingest", "Ingest initial sync (limit off)", ingestRss));

    if (runEndToEnd)
    {
        var e2e = await EndToEndSyncAsync(sandbox);
        rows.Add(("end to end: first request → last commit", e2e.EndToEnd, $"{e2e.Events:N0} events in {e2e.Streams:N0} streams; target >= 5,000 records/s"));
        rss.Add(("Ingest", "end to end", e2e.IngestRss));
        rss.Add(("Projections", "end to end", e2e.ProjectionsRss));
        rows.Add(("  same run: Ingest (→ last page confirmed)", e2e.Ingest, ""));
        rows.Add(("  same run: store append (1st → last commit)", e2e.Append, $"{e2e.Events / e2e.Append:N0} events/s"));
        var (ingestRate, storeRate) = (contacts / e2e.Ingest, e2e.Events / e2e.Append);
        var bound = storeRate < ingestRate ? "the store's append path (Projections consumer → PostgreSQL)" : "Ingest (fetch + send)";
        Console.WriteLine($"End to end is bounded by {bound}: Ingest {ingestRate:N0} records/s, store {storeRate:N0} events/s in the same run.");
    }
}

// 2. The documented 600 requests/min, enforced by the sandbox (sliding 60 s) and budgeted by Ingest: the pages of the
// unlimited runs, then smaller pages so the sync needs more requests than one window holds and the limit binds.
// The limit's own bound: a client that never sends more than 600 requests in any 60 s may send request k no earlier
// than request k-600 plus 60 s. So the last of N requests goes no earlier than 60 s x floor((N-1)/600) after the
// first (the floor), and, given the pace of this run's own earlier requests, no earlier than request N-600's time
// plus 60 s (the window's bound for this run); the sync then needs one more page's hand-off. The issue's "200 pages
// ≈ 20 s" is N at a steady 10 requests/s, which a sliding window does not impose (it admits 600 at once).
foreach (var pageSize in runLimited ? new[] { PageSize, limitedPageSize }.Distinct() : [])
{
    using var sandbox = Sandbox.Start(contacts, rateLimitPerMinute: LimitPerMinute);
    var (limited, limitedRss) = await IngestSyncAsync(sandbox, $"limited_{pageSize}", pageSize);
    var sent = sandbox.Requests.Order().Select(t => (t - sandbox.Requests.Min()).TotalSeconds).ToList();
    var requests = sent.Count;
    var floor = 60.0 * ((requests - 1) / LimitPerMinute);
    var window = requests > LimitPerMinute ? sent[requests - 1 - LimitPerMinute] + 60 : sent[^1];
    var name = $"Ingest, {LimitPerMinute}/min on, {requests} pages of {pageSize}";
    rows.Add((name, limited, string.Create(CultureInfo.InvariantCulture,
        $"last request at {sent[^1]:0.0} s; the limit allowed it at {window:0.0} s ({sent[^1] / window - 1:+0.0%;-0.0%}; floor {floor:0} s); steady 10/s would take {requests / 10.0:0} s; 429s: {sandbox.Rejected}")));
    rss.Add(("Ingest", name, limitedRss));
    var pause = sent.Zip(sent.Skip(1), (a, b) => (Gap: b - a, At: a)).MaxBy(g => g.Gap);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name}: longest pause between two requests {pause.Gap:0.00} s, after {pause.At:0.0} s; last request at {sent[^1]:0.0} s, sync done at {limited:0.0} s"));
}

var baseline = rows[0].Seconds;
Console.WriteLine($"{"Scenario",-46} {"seconds",8} {"records/s",10} {"vs bare",8}  note");
foreach (var (name, seconds, note) in rows)
    Console.WriteLine($"{name,-46} {seconds,8:0.00} {contacts / seconds,10:N0} {baseline / seconds,8:P0}  {note}");
Console.WriteLine();
Console.WriteLine($"Peak RSS (VmHWM) per host and run, target <= {RssTargetMb:0} MB:");
foreach (var (host, run, bytes) in rss)
    Console.WriteLine($"  {host,-12} {bytes / 1e6,6:0} MB  {(bytes / 1e6 <= RssTargetMb ? "ok" : "OVER"),-4}  {run}");
return 0;

// The same pages the poller reads (page_size=500, include_deleted=true, cursor walk), parsed as it parses them.
async Task<double> BareFetchAsync(Sandbox sandbox, bool warmUp)
{
    using var http = new HttpClient { BaseAddress = sandbox.BaseUrl };
    http.DefaultRequestHeaders.Authorization = new("Bearer", "bench-bare");
    var watch = Stopwatch.StartNew();
    string? cursor = null;
    var records = 0;
    do
    {
        var url = $"api/v1/network/contacts?page_size={PageSize}&include_deleted=true" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
        await using var body = await http.GetStreamAsync(new Uri(url, UriKind.Relative));
        using var document = await JsonDocument.ParseAsync(body);
        foreach (var record in document.RootElement.GetProperty("data").EnumerateArray())
        {
            _ = record.GetProperty("id").GetString();
            _ = record.GetProperty("updatedUtc").GetDateTimeOffset();
            records++;
        }

        var page = document.RootElement.GetProperty("page");
        cursor = page.GetProperty("hasMore").GetBoolean() ? page.GetProperty("nextCursor").GetString() : null;
        if (warmUp && records >= 10 * PageSize)
            break;
    }
    while (cursor is not null);
    return watch.Elapsed.TotalSeconds;
}

// From the sandbox's first request to the checkpoint saved after the last page's send was confirmed.
async Task<(double Seconds, long PeakRss)> IngestSyncAsync(Sandbox sandbox, string purpose, int pageSize)
{
    await using var database = await PostgresDatabase.CreateAsync("bench_ingest_" + purpose);
    await using var broker = await RabbitMqVirtualHost.CreateAsync("bench_ingest_" + purpose);
    sandbox.Requests.Clear();
    using var process = StartIngest(sandbox, database, broker, pageSize);
    try
    {
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        var done = await IngestDoneAsync(dataSource, process, sandbox);
        var first = sandbox.Requests.Min();
        var peak = PeakRss(process.Id);
        return ((done - first.UtcDateTime).TotalSeconds, peak);
    }
    finally
    {
        await StopAsync(process);
    }
}

// Ingest and Projections as processes of their own (so each RSS is its own), Projections started and its schema
// applied before Ingest's first request. The store's commits are timed by mt_events.timestamp (the server's clock,
// the machine's).
async Task<(double EndToEnd, double Ingest, double Append, long Events, long Streams, long IngestRss, long ProjectionsRss)> EndToEndSyncAsync(Sandbox sandbox)
{
    await using var database = await PostgresDatabase.CreateAsync("bench_e2e");
    await using var broker = await RabbitMqVirtualHost.CreateAsync("bench_e2e");
    await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
    sandbox.Requests.Clear();
    var projectionsSettings = new Dictionary<string, string>
    {
        ["ConnectionStrings__Postgres"] = database.ConnectionString,
        ["ConnectionStrings__RabbitMq"] = broker.Amqp.ToString(),
        ["EventStore__ApplySchemaOnStartup"] = "true", // a fresh database, no migrate step
    };
    if (concurrency > 0)
        projectionsSettings["Projections__ObservationConcurrency"] = concurrency.ToString(CultureInfo.InvariantCulture);
    using var projections = StartHost(projectionsDll, projectionsSettings);
    Process? ingest = null;
    try
    {
        while (await ScalarAsync<bool>(dataSource, "SELECT to_regclass('hub.mt_events') IS NULL"))
        {
            if (projections.HasExited)
                throw new InvalidOperationException("Projections exited at start-up.");
            await Task.Delay(100);
        }

        await Task.Delay(TimeSpan.FromSeconds(2)); // its bus and consumers connecting
        ingest = StartIngest(sandbox, database, broker, PageSize);
        var ingestDone = await IngestDoneAsync(dataSource, ingest, sandbox);
        var deadline = DateTime.UtcNow.AddMinutes(15);
        while (await ScalarAsync<long>(dataSource, "SELECT count(*) FROM hub.mt_streams") < contacts)
        {
            if (projections.HasExited || DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"Projections {(projections.HasExited ? "exited" : "did not finish")}.");
            await Task.Delay(100);
        }

        var events = await ScalarAsync<long>(dataSource, "SELECT count(*) FROM hub.mt_events");
        var firstCommit = await ScalarAsync<DateTime>(dataSource, "SELECT min(timestamp) FROM hub.mt_events");
        var lastCommit = await ScalarAsync<DateTime>(dataSource, "SELECT max(timestamp) FROM hub.mt_events");
        var first = sandbox.Requests.Min().UtcDateTime;
        return ((lastCommit - first).TotalSeconds, (ingestDone - first).TotalSeconds, (lastCommit - firstCommit).TotalSeconds,
            events, contacts, PeakRss(ingest.Id), PeakRss(projections.Id));
    }
    finally
    {
        if (ingest is not null)
            await StopAsync(ingest);
        ingest?.Dispose();
        await StopAsync(projections);
    }
}

Process StartIngest(Sandbox sandbox, PostgresDatabase database, RabbitMqVirtualHost broker, int pageSize) => StartHost(ingestDll, new()
{
    ["Ingest__Connections__bench__PageSize"] = pageSize.ToString(CultureInfo.InvariantCulture),
    ["ConnectionStrings__Postgres"] = database.ConnectionString,
    ["ConnectionStrings__RabbitMq"] = broker.Amqp.ToString(),
    ["Ingest__Connections__bench__Source"] = "propstreet",
    ["Ingest__Connections__bench__BaseUrl"] = sandbox.BaseUrl.ToString(),
    ["Ingest__Connections__bench__Token"] = "bench-ingest",
    ["Ingest__Connections__bench__Resources__0"] = "contacts",
    ["Ingest__Connections__bench__Schedule"] = "01:00:00",
});

// The checkpoint saved after the last page's send was confirmed.
static async Task<DateTime> IngestDoneAsync(NpgsqlDataSource dataSource, Process process, Sandbox sandbox)
{
    var deadline = DateTime.UtcNow.AddMinutes(10);
    while (true)
    {
        if (process.HasExited || DateTime.UtcNow > deadline)
            throw new InvalidOperationException($"Ingest {(process.HasExited ? "exited" : "did not finish")} ({sandbox.Requests.Count} requests so far).");
        await Task.Delay(50);
        try
        {
            if (await ScalarAsync<DateTime?>(dataSource, "SELECT updated_utc FROM hub_ingest.checkpoints WHERE connection = 'bench' AND scope = 'contact' AND initial_done") is { } done)
                return done;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // Not created yet.
        }
    }
}

static async Task<T> ScalarAsync<T>(NpgsqlDataSource dataSource, string sql)
{
    await using var command = dataSource.CreateCommand(sql);
    var value = await command.ExecuteScalarAsync();
    return value is DBNull or null ? default! : (T)value;
}

// A host's build output run as `dotnet <dll>` from its own folder (its appsettings.json and runtimeconfig.json, so
// the GC settings the build gives it), logging warnings only.
Process StartHost(string dll, Dictionary<string, string> environment)
{
    var start = new ProcessStartInfo("dotnet", [dll]) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(dll) };
    start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
    start.Environment["Serilog__MinimumLevel__Default"] = "Warning";
    foreach (var (key, value) in environment.Concat(hostEnvironment))
        start.Environment[key] = value;
    var process = Process.Start(start)!;
    process.OutputDataReceived += (_, _) => { };
    process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) Console.Error.WriteLine(line); };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    return process;
}

static async Task StopAsync(Process process)
{
    process.Kill(entireProcessTree: true);
    await process.WaitForExitAsync();
}

static string HostDll(string project)
{
    var dll = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, $"../../../../../src/{project}/bin/Release/net10.0/{project}.dll"));
    return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build {project} in Release first (dotnet build -c Release src/{project}); looked for {dll}.");
}

static long PeakRss(int pid)
{
    foreach (var line in File.ReadLines($"/proc/{pid}/status"))
    {
        if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    return 0;
}

int Option(string name, int fallback)
{
    var args = Environment.GetCommandLineArgs();
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
}

/// <summary>The sandbox on Kestrel with N contacts, every API request's arrival recorded.</summary>
internal sealed class Sandbox : WebApplicationFactory<sandbox::Program>
{
    private readonly int _contacts;
    private readonly int _rateLimit;

    private Sandbox(int contacts, int rateLimit) => (_contacts, _rateLimit) = (contacts, rateLimit);

    public ConcurrentBag<DateTimeOffset> Requests { get; } = [];

    private int _rejected;

    /// <summary>Ingest's requests the sandbox answered 429 (over its rate limit).</summary>
    public int Rejected => _rejected;

    public Uri BaseUrl => ClientOptions.BaseAddress;

    public static Sandbox Start(int contacts, int rateLimitPerMinute)
    {
        var sandbox = new Sandbox(contacts, rateLimitPerMinute);
        sandbox.UseKestrel(0);
        sandbox.StartServer();
        return sandbox;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseContentRoot(Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../src/Hub.Sandbox")));
        builder.UseSetting("Sandbox:Sizes:Contacts", _contacts.ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Sandbox:Sizes:Companies", "10");
        builder.UseSetting("Sandbox:Sizes:Projects", "2");
        builder.UseSetting("Sandbox:Sizes:Leads", "10");
        builder.UseSetting("Sandbox:Propstreet:RateLimitPerMinute", _rateLimit.ToString(CultureInfo.InvariantCulture));
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new Record(this)));
    }

    private sealed class Record(Sandbox sandbox) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (HttpContext context, RequestDelegate inner) =>
            {
                var ours = context.Request.Path.StartsWithSegments("/api/v1/network/contacts") && context.Request.Headers.Authorization == "Bearer bench-ingest";
                if (ours)
                    sandbox.Requests.Add(DateTimeOffset.UtcNow);
                await inner(context);
                if (ours && context.Response.StatusCode == StatusCodes.Status429TooManyRequests)
                    Interlocked.Increment(ref sandbox._rejected);
            });
            next(app);
        };
    }
}
