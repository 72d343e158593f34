extern alias api;
extern alias projections;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hub.Sync.HubSpot;
using Hub.Sync.Records;
using Marten;
using api::Hub.Api.HubSpot;
using projections::Hub.Projections.HubSpot;

namespace Hub.Api.Tests.HubSpot;

public sealed class HubSpotSyncEndpointTests(HubSpotApiHost hub) : IClassFixture<HubSpotApiHost>
{
    private const string Connection = HubSpotApiHost.Connection;

    [Fact]
    public async Task Sync_counts_per_resource_the_records_in_the_sources_in_sync_pending_and_parked_and_lists_the_parked_with_their_reasons()
    {
        var now = DateTimeOffset.UtcNow;
        // Companies (the other tests park contacts): in sync; never pushed; pushed an older content; pushed to another connection only; parked twice; deleted
        // in the source after it was pushed (the archive is pending).
        await ReadModelAsync("company", "sync-1", r => r.Pushed(Pushed(r, r.Hash!, Connection), r.Version));
        await ReadModelAsync("company", "sync-2", r => r);
        await ReadModelAsync("company", "sync-3", r => r.Pushed(Pushed(r, "an-older-hash", Connection), r.Version));
        await ReadModelAsync("company", "sync-4", r => r.Pushed(Pushed(r, r.Hash!, "other"), r.Version));
        await ReadModelAsync("company", "sync-5", r => r.Parked(new HubSpotPushParked(Connection, r.Hash!, "Validation: PROPERTY_DOESNT_EXIST", 1, now), r.Version));
        await ReadModelAsync("company", "sync-6", r => r.Parked(new HubSpotPushParked(Connection, r.Hash!, "Server: 503 after 3 rounds", 3, now), r.Version));
        await ReadModelAsync("company", "sync-7", r => r.Pushed(Pushed(r, "hash-before-the-delete", Connection), r.Version), deleted: true);
        using var client = hub.Client(hub.Api.ReadToken);

        var sync = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/hubspot/sync?connection={Connection}", UriKind.Relative));

        var companies = sync.GetProperty("resources").EnumerateArray().Single(r => r.GetProperty("resource").GetString() == "propstreet company");
        Assert.Equal(
            new HubSpotResourceSync("propstreet company", Records: 6, Projected: 7, Mapped: 7, InSync: 1, Pending: 4, Parked: 2),
            companies.Deserialize<HubSpotResourceSync>(JsonSerializerOptions.Web));
        Assert.Equal(Connection, sync.GetProperty("connection").GetString());
        Assert.True(sync.GetProperty("lastEventSequence").GetInt64() >= 8);
        var parked = sync.GetProperty("parked").EnumerateArray().Where(p => p.GetProperty("resource").GetString() == "propstreet company").ToList();
        Assert.Equal(["propstreet-company-sync-5", "propstreet-company-sync-6"], parked.Select(p => p.GetProperty("record").GetString()));
        Assert.Equal("Validation: PROPERTY_DOESNT_EXIST", parked[0].GetProperty("reason").GetString());
        Assert.Equal(3, parked[1].GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task Parked_records_come_a_page_at_a_time_or_not_at_all_when_only_counts_are_asked_for()
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var id in new[] { "page-1", "page-2", "page-3" })
            await ReadModelAsync("contact", id, r => r.Parked(new HubSpotPushParked(Connection, r.Hash!, $"Conflict: {id}", 1, now), r.Version));
        using var client = hub.Client(hub.Api.ReadToken);
        var pages = new List<string>();
        string? after = null;

        do
        {
            var query = $"/api/hubspot/sync?parkedLimit=2{(after is null ? "" : $"&parkedAfter={after}")}";
            var sync = await client.GetFromJsonAsync<JsonElement>(new Uri(query, UriKind.Relative));
            pages.AddRange(sync.GetProperty("parked").EnumerateArray().Select(p => p.GetProperty("record").GetString()!).Where(k => k.Contains("-page-", StringComparison.Ordinal)));
            after = sync.GetProperty("nextParkedAfter").GetString();
        }
        while (after is not null);

        Assert.Equal(["propstreet-contact-page-1", "propstreet-contact-page-2", "propstreet-contact-page-3"], pages);
        // Counts only (what the run command's bars poll): no list, no next page.
        var counts = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/hubspot/sync?parkedLimit=0", UriKind.Relative));
        Assert.Empty(counts.GetProperty("parked").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, counts.GetProperty("nextParkedAfter").ValueKind);
        Assert.True(counts.GetProperty("resources").EnumerateArray().Single(r => r.GetProperty("resource").GetString() == "propstreet contact").GetProperty("parked").GetInt64() >= 3);
    }

    [Fact]
    public async Task HubSpots_own_records_observed_on_a_two_way_connection_are_not_counted_as_records_to_push()
    {
        await ReadModelAsync("contact", "own-1", r => r, source: "hubspot");
        using var client = hub.Client(hub.Api.ReadToken);

        var sync = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/hubspot/sync?connection={Connection}", UriKind.Relative));

        Assert.DoesNotContain(sync.GetProperty("resources").EnumerateArray(), r => r.GetProperty("resource").GetString()!.StartsWith("hubspot", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_connection_is_404_problem_details()
    {
        using var client = hub.Client(hub.Api.ReadToken);

        using var response = await client.GetAsync(new Uri("/api/hubspot/sync?connection=nowhere", UriKind.Relative));

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Contains(Connection, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private static HubSpotPushed Pushed(HubSpotRecord record, string hash, string connection) =>
        new(connection, $"hs-{record.Id}", hash, record.Source.Version, DateTimeOffset.UtcNow);

    /// <summary>A record in the sources (Propstreet unless named) and its HubSpot read-model document in the state <paramref name="state"/> gives it.</summary>
    private async Task ReadModelAsync(string resource, string id, Func<HubSpotRecord, HubSpotRecord> state, bool deleted = false, string source = "propstreet")
    {
        var fields = JsonSerializer.SerializeToElement(new { name = id, firstName = id });
        List<object> events = [new RecordCreated(source, "default", resource, id, DateTimeOffset.UtcNow, null, null, fields)];
        if (deleted)
            events.Add(new RecordDeleted(source, "default", resource, id, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, null, JsonSerializer.SerializeToElement(new { }), [], Unseen: false));
        var key = SourceRecord.StreamKey(source, resource, id);
        await using var session = hub.Store.LightweightSession();
        session.Events.StartStream(key, [.. events]);
        await session.SaveChangesAsync();
        var record = await session.LoadAsync<SourceRecord>(key);
        session.Store(state(HubSpotRecord.Observed(null, record!, record!.Version)));
        await session.SaveChangesAsync();
    }
}
