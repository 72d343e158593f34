// Ingest's polling throughput: an initial sync of N sandbox contacts through a real Hub.Ingest process (checkpoints
// in PostgreSQL, one message per page to hub-observations with publisher confirms), beside the bare fetch of the
// same pages in the same run; then the same sync under the documented 600 requests/min; and Ingest's peak RSS.
// Usage: eval "$(scripts/docker.sh env)"; dotnet run -c Release --project bench/Hub.Ingest.Benchmarks -- [--contacts N]
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
var pages = (contacts + PageSize - 1) / PageSize;
var ingestDll = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../src/Hub.Ingest/bin/Release/net10.0/Hub.Ingest.dll"));
if (!File.Exists(ingestDll))
    throw new FileNotFoundException($"Build Hub.Ingest in Release first (dotnet build -c Release src/Hub.Ingest); looked for {ingestDll}.");

Console.WriteLine($"Machine: {Environment.ProcessorCount} logical cores, .NET {Environment.Version}; {contacts:N0} contacts, {pages} pages of {PageSize}");
Console.WriteLine();

var rows = new List<(string Name, double Seconds, string Note)>();

// 1. Rate limit off: bare fetch, then Ingest, against the same sandbox data.
using (var sandbox = Sandbox.Start(contacts, rateLimitPerMinute: 0))
{
    await BareFetchAsync(sandbox, warmUp: true);
    var bare = await BareFetchAsync(sandbox, warmUp: false);
    rows.Add(("bare fetch (GET + parse, limit off)", bare, ""));

    var (ingest, rss) = await IngestSyncAsync(sandbox, "unlimited");
    rows.Add(("Ingest initial sync (limit off)", ingest, $"peak RSS of the Ingest process {rss / 1024.0 / 1024:0} MiB"));
}

// 2. The documented 600 requests/min, enforced by the sandbox (sliding 60 s) and budgeted by Ingest.
using (var sandbox = Sandbox.Start(contacts, rateLimitPerMinute: 600))
{
    var (limited, rss) = await IngestSyncAsync(sandbox, "limited");
    var bound = pages / 600.0 * 60;
    rows.Add(("Ingest initial sync (600/min on)", limited, $"bound {bound:0.0} s ({pages} pages at 10/s); peak RSS {rss / 1024.0 / 1024:0} MiB"));
}

var baseline = rows[0].Seconds;
Console.WriteLine($"{"Scenario",-38} {"seconds",8} {"records/s",10} {"vs bare",8}  note");
foreach (var (name, seconds, note) in rows)
    Console.WriteLine($"{name,-38} {seconds,8:0.00} {contacts / seconds,10:N0} {baseline / seconds,8:P0}  {note}");
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
async Task<(double Seconds, long PeakRss)> IngestSyncAsync(Sandbox sandbox, string purpose)
{
    await using var database = await PostgresDatabase.CreateAsync("bench_ingest_" + purpose);
    await using var broker = await RabbitMqVirtualHost.CreateAsync("bench_ingest_" + purpose);
    sandbox.Requests.Clear();
    var start = new ProcessStartInfo("dotnet", [ingestDll]) { RedirectStandardOutput = true, RedirectStandardError = true };
    start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
    start.Environment["ConnectionStrings__Postgres"] = database.ConnectionString;
    start.Environment["ConnectionStrings__RabbitMq"] = broker.Amqp.ToString();
    start.Environment["Serilog__MinimumLevel__Default"] = "Warning";
    start.Environment["Ingest__Connections__bench__Source"] = "propstreet";
    start.Environment["Ingest__Connections__bench__BaseUrl"] = sandbox.BaseUrl.ToString();
    start.Environment["Ingest__Connections__bench__Token"] = "bench-ingest";
    start.Environment["Ingest__Connections__bench__Resources__0"] = "contacts";
    start.Environment["Ingest__Connections__bench__Schedule"] = "01:00:00";
    using var process = Process.Start(start)!;
    process.OutputDataReceived += (_, _) => { };
    process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) Console.Error.WriteLine(line); };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    try
    {
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        DateTime? done = null;
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (done is null)
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"Ingest {(process.HasExited ? "exited" : "did not finish")} ({sandbox.Requests.Count} requests so far).");
            await Task.Delay(50);
            try
            {
                await using var command = dataSource.CreateCommand("SELECT updated_utc FROM hub_ingest.checkpoints WHERE connection = 'bench' AND scope = 'contact' AND initial_done");
                done = (DateTime?)await command.ExecuteScalarAsync();
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
            {
                // Not created yet.
            }
        }

        var first = sandbox.Requests.Min();
        var peak = PeakRss(process.Id);
        return ((done.Value - first.UtcDateTime).TotalSeconds, peak);
    }
    finally
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }
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
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new Record(Requests)));
    }

    private sealed class Record(ConcurrentBag<DateTimeOffset> log) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((HttpContext context, RequestDelegate inner) =>
            {
                if (context.Request.Path.StartsWithSegments("/api/v1/network/contacts") && context.Request.Headers.Authorization == "Bearer bench-ingest")
                    log.Add(DateTimeOffset.UtcNow);
                return inner(context);
            });
            next(app);
        };
    }
}
