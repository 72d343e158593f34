// The store side of ingest on this machine: RecordsObserved pages through the real Projections host (MassTransit
// consumer → decisions → EventWriter → Marten, inline SourceRecord, publisher running alongside), beside the raw
// EventWriter path and the pure decisions, all in one run.
// Usage: dotnet run -c Release --project bench/Hub.Projections.Benchmarks -- [--contacts N] [--concurrency N]
extern alias projections;

using Hub.Sync.Records;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Hub.Contracts.Observations;
using Hub.EventStore.Writing;
using projections::Hub.Projections.Records;
using Hub.Testing;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

var contacts = Option("--contacts", 100_000);
var concurrency = Option("--concurrency", 4);
const int PageSize = 500;
string[] tags = ["investor", "nordics"];

await using var database = await PostgresDatabase.CreateAsync("bench_projections");
await using var broker = await RabbitMqVirtualHost.CreateAsync("bench_projections");
// The host's content root is this directory (its appsettings.json is copied here); not a source folder.
Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_HUB_PROJECTIONS", AppContext.BaseDirectory);
// A log line per page would measure the console.
Environment.SetEnvironmentVariable("Serilog__MinimumLevel__Default", "Warning");
await using var host = new WebApplicationFactory<projections::Program>().WithWebHostBuilder(builder =>
{
    builder.UseSetting("ConnectionStrings:Postgres", database.ConnectionString);
    builder.UseSetting("ConnectionStrings:RabbitMq", broker.Amqp.ToString());
    builder.UseSetting("Projections:ObservationConcurrency", concurrency.ToString(CultureInfo.InvariantCulture));
});
_ = host.Server;
var store = host.Services.GetRequiredService<IDocumentStore>();
var writer = host.Services.GetRequiredService<EventWriter>();
Console.WriteLine($"Machine: {Environment.ProcessorCount} logical cores, .NET {Environment.Version}; {contacts:N0} contacts in pages of {PageSize}, consumer concurrency {concurrency}");

var sender = Bus.Factory.CreateUsingRabbitMq(rabbit =>
{
    var credentials = Uri.UnescapeDataString(broker.Amqp.UserInfo).Split(':', 2);
    rabbit.Host(broker.Amqp.Host, (ushort)broker.Amqp.Port, broker.Name, h =>
    {
        h.Username(credentials[0]);
        h.Password(credentials[1]);
    });
});
await sender.StartAsync();
var queue = await sender.GetSendEndpoint(new Uri($"queue:{ObservationTransport.Queue}"));

// Warm-up (JIT, plans, connections) on streams the measured runs do not touch.
await queue.Send(Page("warmup", 0, PageSize));
await WaitForRecordsAsync("warmup", PageSize);

var rows = new List<(string Name, TimeSpan Elapsed)>();

// 1. Decisions alone: the pure part of the consumer, every record new (no I/O).
var decidePages = Enumerable.Range(0, contacts / PageSize).Select(p => Page("decide", p, PageSize)).ToList();
var watch = Stopwatch.StartNew();
foreach (var page in decidePages)
    RecordsObservedConsumer.Decide(page, [], new RecordsObservedConsumer.Tally());
rows.Add(("decisions only (pure, no I/O)", watch.Elapsed));
decidePages.Clear();

// 2. Raw EventWriter: the same events, decided beforehand, written by `concurrency` writers (one page per write).
var rawPages = Enumerable.Range(0, contacts / PageSize)
    .Select(p => RecordsObservedConsumer.Decide(Page("raw", p, PageSize), [], new RecordsObservedConsumer.Tally()))
    .ToList();
var next = -1;
watch.Restart();
await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
{
    int p;
    while ((p = Interlocked.Increment(ref next)) < rawPages.Count)
        await writer.WriteAsync($"raw-{p}", rawPages[p]);
})));
rows.Add(($"raw EventWriter, {concurrency} writers", watch.Elapsed));
rawPages.Clear();

// 3. The consumer path: pages sent to hub-observations as Ingest sends them, from the first send to the last commit.
watch.Restart();
var sending = Task.Run(async () =>
{
    for (var p = 0; p < contacts / PageSize; p++)
        await queue.Send(Page("consumer", p, PageSize));
    return watch.Elapsed;
});
var sent = await sending;
await WaitForRecordsAsync("consumer", contacts);
rows.Add(($"consumer path (MassTransit → decide → append), concurrency {concurrency}", watch.Elapsed));
await sender.StopAsync();

Console.WriteLine();
var baseline = contacts / rows[1].Elapsed.TotalSeconds;
Console.WriteLine($"| {"Path",-62} | {"Seconds",8} | {"Events/s",10} | {"vs raw writer",13} |");
Console.WriteLine($"|{new string('-', 64)}|{new string('-', 10)}|{new string('-', 12)}|{new string('-', 15)}|");
foreach (var (name, elapsed) in rows)
{
    var rate = contacts / elapsed.TotalSeconds;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name,-62} | {elapsed.TotalSeconds,8:F2} | {rate,10:N0} | {rate / baseline,12:P0} |"));
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Sending the {contacts / PageSize} pages to the queue took {sent.TotalSeconds:F2} s of the consumer path's time (overlapped with consuming)."));
return 0;

async Task WaitForRecordsAsync(string connection, int count)
{
    while (true)
    {
        await using var session = store.QuerySession();
        if (await session.Query<SourceRecord>().CountAsync(r => r.Connection == connection) >= count)
            return;
        await Task.Delay(50);
    }
}

// A realistic Propstreet contact (~500 bytes of JSON), one connection per measured path so the paths never share streams.
RecordsObserved Page(string connection, int page, int size)
{
    var start = new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);
    var records = Enumerable.Range(page * size, size).Select(i => new ObservedRecord(
        $"{connection}-{i}", start.AddSeconds(i), null, $"W/\"{i:x8}\"",
        JsonSerializer.SerializeToElement(new
        {
            id = i,
            firstName = "Ada",
            lastName = $"Lovelace{i}",
            email = $"ada{i}@example.com",
            phone = "+46 70 123 45 67",
            title = "Head of Acquisitions",
            companyId = i % 2_000,
            tags,
            externalRefs = new[] { new { @namespace = "hubspot", value = $"hs-{i}" } },
            createdUtc = start,
            updatedUtc = start.AddSeconds(i),
            etag = $"W/\"{i:x8}\"",
        }))).ToList();
    return new RecordsObserved($"poll:{connection}:contact:{page}", "propstreet", connection, "contact", "poll", start, records);
}

int Option(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}
