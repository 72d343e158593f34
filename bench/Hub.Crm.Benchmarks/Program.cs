// The HubSpot client's push rate: N contacts upserted into the HubSpot sandbox (rate limits off) through
// HubSpotClient — batches of 100, every request first taking a grant from the shared budget in PostgreSQL — beside
// bare batch/upsert POSTs of the same batches in the same run (one HttpClient, no budget, no result mapping), with
// C callers at once. Each scenario creates N contacts, then updates them.
// Usage: eval "$(scripts/docker.sh env)"; dotnet run -c Release --project bench/Hub.Crm.Benchmarks -- [--contacts N] [--callers C]
// PostgreSQL: ConnectionStrings__Postgres when set, else Testcontainers (as the tests).
extern alias sandbox;

using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Hub.Crm.HubSpot;
using Hub.ServiceDefaults.Postgres;
using Hub.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

var contacts = Option("--contacts", 20_000);
var callers = Option("--callers", 4);
Console.WriteLine($"Machine: {Environment.ProcessorCount} logical cores, .NET {Environment.Version}; {contacts:N0} contacts, batches of {HubSpotClient.BatchSize}, {callers} callers");

await using var database = await PostgresDatabase.CreateAsync("crmbench");
using var hubspot = HubSpotSandbox.Start();
await using var hub = Hub(database, hubspot);
var client = hub.Services.GetRequiredService<HubSpotClients>()["bench"];
using var bare = new HttpClient { BaseAddress = hubspot.BaseUrl };
bare.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", HubSpotSandbox.Token);

// Warm-up: JIT, connection pools, the budget's schema.
await RunAsync("warm-", Math.Min(contacts, 1_000), ClientUpsertAsync);
await RunAsync("warm-", Math.Min(contacts, 1_000), BareUpsertAsync);

// Interleaved, so each pair meets a sandbox holding as many records (it slows as it grows).
var rows = new List<(string Name, double Seconds)>();
foreach (var phase in new[] { "create", "update" })
{
    rows.Add(($"bare batch/upsert, {phase}", await RunAsync("bare-", contacts, BareUpsertAsync)));
    rows.Add(($"HubSpotClient.UpsertAsync, {phase}", await RunAsync("client-", contacts, ClientUpsertAsync)));
}

Console.WriteLine();
Console.WriteLine($"{"Scenario",-36} {"seconds",8} {"records/s",10} {"vs bare",8}");
for (var i = 0; i < rows.Count; i++)
{
    var (name, seconds) = rows[i];
    var bareSeconds = rows[i - i % 2].Seconds;
    Console.WriteLine($"{name,-36} {seconds,8:0.00} {contacts / seconds,10:N0} {bareSeconds / seconds,8:0.00}x");
}

return 0;

// N records in calls of 1,000 (the client splits each into 10 batches), C calls at once; seconds taken.
async Task<double> RunAsync(string prefix, int count, Func<IReadOnlyList<HubSpotUpsert>, Task> upsert)
{
    var calls = Enumerable.Range(0, (count + 999) / 1_000)
        .Select(c => (IReadOnlyList<HubSpotUpsert>)[.. Enumerable.Range(c * 1_000, Math.Min(1_000, count - c * 1_000))
            .Select(i => new HubSpotUpsert($"{prefix}{i}", new Dictionary<string, string?>
            {
                ["firstname"] = $"First {i}",
                ["lastname"] = $"Last {prefix}{Environment.TickCount64}",
                ["city"] = "Stockholm",
            }))])
        .ToList();
    var next = -1;
    var watch = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, callers).Select(async _ =>
    {
        while (Interlocked.Increment(ref next) is var n && n < calls.Count)
            await upsert(calls[n]);
    }));
    return watch.Elapsed.TotalSeconds;
}

async Task ClientUpsertAsync(IReadOnlyList<HubSpotUpsert> inputs)
{
    var result = await client.UpsertAsync("contacts", "propstreet_id", inputs);
    if (result.Failed.FirstOrDefault() is { } failed)
        throw new InvalidOperationException($"{failed.Key}: {failed.Error?.Message}");
}

async Task BareUpsertAsync(IReadOnlyList<HubSpotUpsert> inputs)
{
    foreach (var batch in inputs.Chunk(HubSpotClient.BatchSize))
    {
        using var response = await bare.PostAsJsonAsync(new Uri("/crm/v3/objects/contacts/batch/upsert", UriKind.Relative),
            new { inputs = batch.Select(i => new { id = i.IdValue, idProperty = "propstreet_id", properties = i.Properties }) });
        response.EnsureSuccessStatusCode();
        await response.Content.ReadAsByteArrayAsync();
    }
}

static WebApplication Hub(PostgresDatabase database, HubSpotSandbox hubspot)
{
    var builder = WebApplication.CreateBuilder();
    builder.Configuration["ConnectionStrings:Postgres"] = database.ConnectionString;
    builder.Configuration["HubSpot:Connections:bench:BaseUrl"] = hubspot.BaseUrl.ToString();
    builder.Configuration["HubSpot:Connections:bench:AccessToken"] = HubSpotSandbox.Token;
    // Never binding, but every request still takes its grant: the budget's cost is in the figures.
    builder.Configuration["HubSpot:Connections:bench:BurstLimit"] = "1000000";
    builder.Logging.ClearProviders();
    builder.AddPostgres();
    builder.AddHubSpot();
    return builder.Build();
}

static int Option(string name, int fallback)
{
    var args = Environment.GetCommandLineArgs();
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

/// <summary>The sandbox in-process on Kestrel with HubSpot's rate limits off and the other APIs nearly empty.</summary>
internal sealed class HubSpotSandbox : SandboxServer<sandbox::Program>
{
    public const string Token = "bench-hubspot-token";

    private HubSpotSandbox()
        : base(new Dictionary<string, string?>
        {
            ["Sandbox:HubSpot:AccessToken"] = Token,
            ["Sandbox:HubSpot:RateLimitsEnabled"] = "false",
            ["Sandbox:Sizes:Leads"] = "10",
            ["Sandbox:Sizes:Contacts"] = "10",
            ["Sandbox:Sizes:Companies"] = "5",
            ["Sandbox:Sizes:Projects"] = "1",
            ["Sandbox:Sizes:ProspectsPerProject"] = "1",
            ["Logging:LogLevel:Default"] = "Warning",
        }, null)
    {
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        // Run from bin/, not from a test runner that finds the solution: point at the sandbox's folder.
        builder.UseContentRoot(Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../src/Hub.Sandbox")));
    }

    public static HubSpotSandbox Start()
    {
        var sandbox = new HubSpotSandbox();
        sandbox.StartOnKestrel();
        return sandbox;
    }
}
