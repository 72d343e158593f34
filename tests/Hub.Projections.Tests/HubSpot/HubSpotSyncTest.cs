using Hub.Projections.HubSpot;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hub.Crm.HubSpot;
using Hub.Sync.HubSpot;
using Hub.Sync.Records;
using Hub.Projections.Tests.EndToEnd;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace Hub.Projections.Tests.HubSpot;

/// <summary>
/// The sources through Ingest and the store to the HubSpot sandbox: a small Propstreet (contacts, companies, projects
/// with prospects) and Property Finder (leads) seed, one HubSpot connection <c>main</c> on the same sandbox host.
/// </summary>
public abstract class HubSpotSyncTest : EndToEndTest
{
    protected const string Connection = "main";

    protected override int Contacts => 120;

    protected override Dictionary<string, string?> SandboxSettings() => new(base.SandboxSettings())
    {
        ["Sandbox:Sizes:Companies"] = "30",
        ["Sandbox:Sizes:Projects"] = "8",
        ["Sandbox:Sizes:ProspectsPerProject"] = "6",
        ["Sandbox:Sizes:Leads"] = "40",
        ["Sandbox:HubSpot:SearchVisibilityDelayMs"] = "0",
    };

    /// <summary>The Projections host's HubSpot connection to the sandbox (short timeouts so fault tests run fast).</summary>
    protected Dictionary<string, string?> HubSpotSettings(double requestTimeoutSeconds = 10) => new()
    {
        [$"HubSpot:Connections:{Connection}:BaseUrl"] = Sandbox.BaseUrl.ToString(),
        [$"HubSpot:Connections:{Connection}:AccessToken"] = "sandbox-hubspot-token",
        [$"HubSpot:Connections:{Connection}:RequestTimeoutSeconds"] = requestTimeoutSeconds.ToString(CultureInfo.InvariantCulture),
        [$"HubSpot:Connections:{Connection}:RetryBaseDelaySeconds"] = "0.2",
    };

    /// <summary>
    /// Ingest polling every Propstreet resource the HubSpot mapping uses, and Property Finder's leads; every 2 s by
    /// default, so a delta round of every resource stays well inside the sandbox's 600 requests a minute.
    /// </summary>
    protected Dictionary<string, string?> AllSourcesIngestSettings(string schedule = "00:00:02")
    {
        var settings = IngestSettings(pageSize: 100, schedule: schedule);
        settings["Ingest:Connections:main:Resources:1"] = "companies";
        settings["Ingest:Connections:main:Resources:2"] = "projects";
        settings["Ingest:Connections:main:Resources:3"] = "prospects";
        settings["Ingest:Connections:pf:Source"] = "propertyfinder";
        settings["Ingest:Connections:pf:BaseUrl"] = Sandbox.BaseUrl.ToString();
        settings["Ingest:Connections:pf:ClientId"] = "hub";
        settings["Ingest:Connections:pf:ClientSecret"] = "hub-test-secret";
        settings["Ingest:Connections:pf:Schedule"] = schedule;
        settings["Ingest:Connections:pf:LookBack"] = "00:00:05";
        return settings;
    }

    /// <summary>Projections with the HubSpot connection and Ingest on every source; returns once the push has settled.</summary>
    protected async Task SyncEverythingAsync(int extraRecords = 0)
    {
        Hub.StartHost(settings: HubSpotSettings());
        StartIngest(AllSourcesIngestSettings());
        await WaitUntilPushSettledAsync(atLeastRecords: Contacts + extraRecords);
    }

    /// <summary>The HubSpot read model as the store holds it now.</summary>
    internal async Task<IReadOnlyList<HubSpotRecord>> ReadModelAsync()
    {
        await using var session = Hub.Store.QuerySession();
        return await session.Query<HubSpotRecord>().ToListAsync();
    }

    /// <summary>
    /// Waits (generously bounded) until ingest has gone quiet with at least <paramref name="atLeastRecords"/> records
    /// stored, the read model has projected the whole log, and the push has settled every record on the connection
    /// (in sync, or parked), and stayed so for 3 seconds. The test asserts afterwards.
    /// </summary>
    protected async Task WaitUntilPushSettledAsync(int atLeastRecords = 1)
    {
        (int Records, DateTime Since) last = (-1, DateTime.MaxValue);
        await ProjectionsHost.WaitUntilAsync(async () =>
        {
            var records = (await Hub.RecordsAsync()).Count;
            var model = await ReadModelAsync();
            var settled = records >= atLeastRecords && model.Count == records && model.All(r => !r.PendingOn(Connection))
                && await ReadModelCaughtUpAsync();
            if (!settled || records != last.Records)
                last = settled ? (records, DateTime.UtcNow) : (-1, DateTime.MaxValue);
            return settled && DateTime.UtcNow - last.Since > TimeSpan.FromSeconds(3);
        }, seconds: 180);
    }

    private async Task<bool> ReadModelCaughtUpAsync()
    {
        var progress = await Hub.Store.Advanced.ProjectionProgressFor(new ShardName(HubSpotRecordProjection.ProjectionName, "All", 1));
        var statistics = await Hub.Store.Advanced.FetchEventStoreStatistics();
        return progress >= statistics.EventSequenceNumber;
    }

    /// <summary>Ingests the seed with a host that has no HubSpot connection and waits until it is all stored.</summary>
    protected async Task IngestEverythingAsync()
    {
        Hub.StartHost();
        StartIngest(AllSourcesIngestSettings());
        (int Count, DateTime Since) last = (-1, DateTime.UtcNow);
        await ProjectionsHost.WaitUntilAsync(async () =>
        {
            var count = (await Hub.RecordsAsync()).Count;
            if (count != last.Count)
                last = (count, DateTime.UtcNow);
            return count >= Contacts && DateTime.UtcNow - last.Since > TimeSpan.FromSeconds(5);
        });
        await Hub.StopHostAsync(0);
    }

    /// <summary>
    /// Every record state document is what its whole stream folds to (record events and the push ledger): the state
    /// the push writes with its outcomes is the one the stream gives, whichever way the push came by it.
    /// </summary>
    protected async Task AssertRecordStatesAreTheirStreamsFoldAsync()
    {
        await using var session = Hub.Store.QuerySession();
        var states = await session.Query<SourceRecord>().ToListAsync();
        Assert.NotEmpty(states);
        foreach (var state in states)
        {
            var folded = await session.Events.AggregateStreamAsync<SourceRecord>(state.Id);
            // Compared as JSON trees: jsonb keeps an object's keys in an order of its own.
            var (expected, actual) = (JsonSerializer.SerializeToNode(folded), JsonSerializer.SerializeToNode(state));
            Assert.True(JsonNode.DeepEquals(expected, actual), $"{state.Id}: stored {actual}, the stream folds to {expected}");
        }
    }

    protected async Task<HubSpotParityReport> ParityAsync()
    {
        var clients = Hub.Services.GetRequiredService<HubSpotClients>();
        await using var session = Hub.Store.QuerySession();
        return await HubSpotParity.CompareAsync(session, clients[Connection]);
    }

    protected static int Live(JsonElement stats, string objectType) => stats.GetProperty("objects").GetProperty(objectType).GetProperty("live").GetInt32();

    /// <summary>Every live source record with a HubSpot counterpart, mapped: what HubSpot must hold.</summary>
    internal async Task<List<(SourceRecord Record, HubSpotTarget Target)>> MappedAsync() =>
        [.. (await Hub.RecordsAsync()).Where(r => !r.IsDeleted).Select(r => (r, HubSpotMapping.Map(r))).Where(t => t.Item2 is not null).Select(t => (t.r, t.Item2!))];
}
