// The HubSpot side of the hub at scale, in one run: (1) N Propstreet contacts from the sandbox through Ingest,
// RabbitMQ, the store, the HubSpot read model and the push into the HubSpot sandbox, every rate limit off, end to end
// beside the ingest-only rate of the same run; (2) the same path with HubSpot's round trips (a latency added to each
// HubSpot request), one batch request at a time against the connection's default ConcurrentBatches; (3) a rebuild of the HubSpot read model from M events by the hub's
// SingleStreamRebuild beside Marten's default RebuildProjectionAsync, with both ending in identical documents.
// Usage: scripts/docker.sh up && eval "$(scripts/docker.sh env)" &&
//        dotnet run -c Release --project bench/Hub.HubSpot.Benchmarks -- [--contacts N] [--events M] [--rounds R] [--only e2e|latency|rebuild] [--order interleaved|streams] [--rebuild-budget MiB] [--latency-contacts N] [--hubspot-latency-ms L] [--split-cores]
// Servers: ConnectionStrings__Postgres / __RabbitMq when set, else Testcontainers (as the tests).
using System.Globalization;
using Hub.Crm.HubSpot;
using Hub.HubSpot.Benchmarks;
using Npgsql;

var contacts = Option("--contacts", 100_000);
var events = Option("--events", 1_000_000);
var rounds = Option("--rounds", 1);
// interleaved (default): the log in the order the hub writes it; streams: each stream's events together (bulk-load order).
var interleaved = Text("--order") is null or "interleaved";
var only = Text("--only");
// The hub's rebuild with a heap budget (MiB), as a pod's memory limit gives it: read models past it are set aside in the database.
long? rebuildBudget = Text("--rebuild-budget") is { } mib ? long.Parse(mib, CultureInfo.InvariantCulture) << 20 : null;
var latencyContacts = Option("--latency-contacts", 20_000);
// End to end with the hub's processes on core 0 alone and everything else on core 1: the hub on a core of its own.
var splitCores = args.Contains("--split-cores");
if (splitCores && Environment.ProcessorCount < 2)
    throw new ArgumentException("--split-cores needs 2 cores or more.");
// HubSpot's batch upserts take a few hundred milliseconds each from outside its data centre.
var hubSpotLatency = TimeSpan.FromMilliseconds(Option("--hubspot-latency-ms", 250));

Console.WriteLine($"Machine: {Environment.ProcessorCount} logical cores, .NET {Environment.Version}, load average {File.ReadAllText("/proc/loadavg").Trim()}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
Console.WriteLine();

try
{
    await RunAsync();
    return 0;
}
catch (Exception e) when (e is InvalidOperationException or TimeoutException or NpgsqlException or HttpRequestException)
{
    // A normal exit, so the containers this run started are removed (Testcontainers' process-exit hook).
    Console.Error.WriteLine($"Benchmark failed: {e}");
    return 1;
}

async Task RunAsync()
{
    // The rebuild first: this process's peak RSS during it is then not the sandbox's.
    if (only is null or "rebuild")
    {
        Console.WriteLine($"Rebuild of the HubSpot read model from {events:N0} events ({events / Rebuild.EventsPerStream:N0} contact streams, {(interleaved ? "interleaved as the hub writes them" : "each stream's events together")}), {rounds} round(s):");
        var rebuild = await Rebuild.RunAsync(events, rounds, interleaved, rebuildBudget);
        var byDefault = Rebuild.Result.Sum("Marten default rebuild (RebuildProjectionAsync)", rebuild.Default);
        var fast = Rebuild.Result.Sum("hub fast rebuild (SingleStreamRebuild)", rebuild.Fast);
        Console.WriteLine($"Seeded {rebuild.Events:N0} events (BulkInsertEventsAsync) in {rebuild.Seeding.TotalSeconds:F1} s; CPU counted: this process{(rebuild.ServerCpu ? " + the PostgreSQL server" : " only")}.");
        Console.WriteLine($"| {"Rebuild",-62} | {"Events",10} | {"Seconds",8} | {"Events/s",9} | {"CPU-s",7} | {"of which client",16} | {"Events/CPU-s",12} | {"Peak RSS",9} |");
        Console.WriteLine($"|{new string('-', 64)}|{new string('-', 12)}|{new string('-', 10)}|{new string('-', 11)}|{new string('-', 9)}|{new string('-', 18)}|{new string('-', 14)}|{new string('-', 11)}|");
        foreach (var row in new[] { byDefault, fast })
            Console.WriteLine($"| {row.Name,-62} | {row.Events,10:N0} | {row.Elapsed.TotalSeconds,8:F2} | {row.Rate,9:N0} | {row.TotalCpu.TotalSeconds,7:F1} | {row.ClientCpu.TotalSeconds,16:F1} | {row.CpuRate,12:N0} | {Hosts.MiB(row.PeakRss),9} |");
        Console.WriteLine($"Hub fast rebuild vs Marten default: {fast.Rate / byDefault.Rate:F2}x wall clock, {fast.CpuRate / byDefault.CpuRate:F2}x CPU (target >= 2x). Both ended with identical documents ({rebuild.Streams:N0}, jsonb-equal).");
        Console.WriteLine();
    }

    if (only is null or "e2e")
    {
        Console.WriteLine($"End to end: {contacts:N0} Propstreet contacts → HubSpot sandbox, rate limits off (Propstreet and HubSpot sandbox, HubSpot client budget)"
            + (splitCores ? "; Ingest and Projections on core 0 alone, PostgreSQL, RabbitMQ, the sandboxes and this benchmark on core 1:" : ":"));
        var e2e = await EndToEnd.RunAsync(contacts, splitCores: splitCores);
        Console.WriteLine($"| {"Stage",-86} | {"Seconds",8} | {"Records/s",9} |");
        Console.WriteLine($"|{new string('-', 88)}|{new string('-', 10)}|{new string('-', 11)}|");
        Console.WriteLine($"| {"**end to end: first request → last contact pushed and recorded (hubspot.pushed.v1 or .parked.v1)**",-86} | {e2e.EndToEnd,8:F2} | {e2e.EndToEndRate,9:N0} |");
        foreach (var (stage, seconds, rate) in e2e.Stages)
            Console.WriteLine($"| {stage,-86} | {seconds,8:F2} | {rate,9:N0} |");
        var bound = e2e.Stages.MinBy(s => s.Rate);
        Console.WriteLine($"Bounding stage: {bound.Stage} at {bound.Rate:N0} records/s. Push ran from {e2e.PushFirst:F1} s to {e2e.PushLast:F1} s; ingest finished at {e2e.IngestOnly:F1} s, the read model ran from {e2e.ReadModelFirst:F1} s and caught up at {e2e.ReadModel:F1} s (sampled every ~0.1 s).");
        Console.WriteLine($"{e2e.RecordEventCount:N0} record events; the HubSpot sandbox holds {e2e.LiveInHubSpot:N0} live contacts = the live records pushed; {e2e.Parked:N0} parked{(e2e.ParkedReason is { } reason ? $" (e.g. {reason})" : "")}. Appends that failed and were retried (Marten's mt_tombstone events): {e2e.Tombstones:N0}.");
        Console.WriteLine($"Peak RSS: Ingest {Hosts.MiB(e2e.IngestRss)}, Projections {Hosts.MiB(e2e.ProjectionsRss)}.");
        var cpu = e2e.Cpu;
        Console.WriteLine($"CPU-seconds from Ingest's start to the end: Ingest {cpu.Ingest.TotalSeconds:F0}, Projections {cpu.Projections.TotalSeconds:F0}, sandbox (+ this benchmark's polling) {cpu.SandboxAndBenchmark.TotalSeconds:F0}, PostgreSQL {(cpu.PostgreSql is { } server ? server.TotalSeconds.ToString("F0", CultureInfo.InvariantCulture) : "not visible")}, RabbitMQ {(cpu.RabbitMq is { } broker ? broker.TotalSeconds.ToString("F0", CultureInfo.InvariantCulture) : "not visible")}; {cpu.Total.TotalMilliseconds / e2e.Contacts:F2} ms per contact: at most {Environment.ProcessorCount * 1000 / (cpu.Total.TotalMilliseconds / e2e.Contacts):N0} records/s on {Environment.ProcessorCount} cores of its own.");
        if (splitCores)
        {
            var hubCore = (cpu.Ingest + cpu.Projections).TotalSeconds / e2e.EndToEnd;
            var serverCore = (cpu.Total - cpu.Ingest - cpu.Projections).TotalSeconds / e2e.EndToEnd;
            Console.WriteLine($"Core 0 (Ingest + Projections) was busy {hubCore:P0} of the run, core 1 (servers, sandboxes, this benchmark) {serverCore:P0}.");
        }

        PrintSizing(cpu, e2e.Contacts);
        Console.WriteLine($"Target (2 cores): >= 5,000 records/s end to end: {(e2e.EndToEndRate >= 5_000 ? "met" : "not met")}.");
        Console.WriteLine();
    }

    if (only is null or "latency")
    {
        Console.WriteLine($"HubSpot round trips: {latencyContacts:N0} contacts end to end with {hubSpotLatency.TotalMilliseconds:N0} ms added to every HubSpot request, rate limits off:");
        var serial = await EndToEnd.RunAsync(latencyContacts, hubSpotLatency, concurrentBatches: 1);
        var concurrent = await EndToEnd.RunAsync(latencyContacts, hubSpotLatency);
        Console.WriteLine($"| {"HubSpot batch requests in flight per push call",-50} | {"Push s",8} | {"Push records/s",14} | {"End to end records/s",20} |");
        Console.WriteLine($"|{new string('-', 52)}|{new string('-', 10)}|{new string('-', 16)}|{new string('-', 22)}|");
        foreach (var (name, run) in new[] { ("1 (one at a time, as before ConcurrentBatches)", serial), ($"{new HubSpotConnection().ConcurrentBatches} (ConcurrentBatches default)", concurrent) })
            Console.WriteLine($"| {name,-50} | {run.PushLast - run.PushFirst,8:F2} | {run.PushRate,14:N0} | {run.EndToEndRate,20:N0} |");
        Console.WriteLine($"Concurrent vs one at a time: {concurrent.PushRate / serial.PushRate:F2}x push, {concurrent.EndToEndRate / serial.EndToEndRate:F2}x end to end.");
    }
}

int Option(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}

string? Text(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

// What each process costs per contact, which is also the cores it needs per 1,000 records/s (docs/deploy.md, "Sizing").
// The hub's own processes are what a deployment gives cores to; PostgreSQL, RabbitMQ and the CRMs run elsewhere there,
// so the rate those cores would carry is a projection from CPU time, not a measurement on this machine.
static void PrintSizing(EndToEnd.CpuSpent cpu, int contacts)
{
    double PerContact(TimeSpan spent) => spent.TotalMilliseconds / contacts;
    Console.WriteLine("CPU per contact = cores per 1,000 records/s:");
    Console.WriteLine($"| {"Process",-44} | {"CPU-ms per contact",18} |");
    Console.WriteLine($"|{new string('-', 46)}|{new string('-', 20)}|");
    foreach (var (name, spent) in new (string, TimeSpan?)[]
    {
        ("Hub.Ingest", cpu.Ingest), ("Hub.Projections", cpu.Projections), ("PostgreSQL", cpu.PostgreSql), ("RabbitMQ", cpu.RabbitMq),
        ("sandboxes (+ this benchmark's polling)", cpu.SandboxAndBenchmark),
    })
        Console.WriteLine($"| {name,-44} | {(spent is { } s ? PerContact(s).ToString("F3", CultureInfo.InvariantCulture) : "not visible"),18} |");
    var hub = PerContact(cpu.Ingest + cpu.Projections);
    var rate = Environment.ProcessorCount * 1000 / hub;
    Console.WriteLine($"The hub's own processes (Ingest + Projections): {hub:F3} ms per contact, so {Environment.ProcessorCount} cores of their own would carry "
        + $"{rate:N0} records/s with the servers elsewhere (projected from CPU time, not measured), PostgreSQL then needing "
        + $"{(cpu.PostgreSql is { } pg ? (PerContact(pg) * rate / 1000).ToString("F1", CultureInfo.InvariantCulture) : "?")} cores.");
}
