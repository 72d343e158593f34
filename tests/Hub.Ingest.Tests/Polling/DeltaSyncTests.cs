using System.Net.Http.Json;
using System.Text.Json;
using Hub.Ingest.Tests.Hosting;

namespace Hub.Ingest.Tests.Polling;

public sealed class DeltaSyncTests : IngestTest
{
    [Fact]
    public async Task Delta_sync_picks_up_updates_deletions_and_revivals()
    {
        // A contact with an external ref, so an integration's upsert can revive it after it is deleted.
        using var created = await Sandbox.Control.PostAsJsonAsync(new Uri("/_sandbox/propstreet/contacts", UriKind.Relative),
            new { firstName = "Revenant", externalRefs = new[] { new { @namespace = "crm", id = "r-1" } } });
        created.EnsureSuccessStatusCode();
        var revenant = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var all = await SandboxContactIdsAsync();

        StartIngest(IngestHost.Propstreet(Sandbox.BaseUrl, pageSize: 100, schedule: "00:00:00.300"));
        await Observations.WaitUntilAsync(q => q.Records.Select(r => r.Id).ToHashSet().IsSupersetOf(all));
        var live = Observations.Records.Where(r => r.DeletedUtc is null && r.Id != revenant).Select(r => r.Id).Order().ToList();
        var (updated, deleted) = (live[0], live[1]);

        using (var patch = await Sandbox.Control.PatchAsJsonAsync(new Uri($"/_sandbox/propstreet/contacts/{updated}", UriKind.Relative), new { firstName = "Changed" }))
            patch.EnsureSuccessStatusCode();
        using (var delete = await Sandbox.Control.DeleteAsync(new Uri($"/_sandbox/propstreet/contacts/{deleted}", UriKind.Relative)))
            delete.EnsureSuccessStatusCode();
        using (var delete = await Sandbox.Control.DeleteAsync(new Uri($"/_sandbox/propstreet/contacts/{revenant}", UriKind.Relative)))
            delete.EnsureSuccessStatusCode();
        await Observations.WaitUntilAsync(q => q.Records.Any(r => r.Id == revenant && r.DeletedUtc is not null));
        using (var revive = await Sandbox.PropstreetApiAsync(HttpMethod.Patch, "/api/v1/network/contacts/external/crm/r-1", new { firstName = "Back" }))
            revive.EnsureSuccessStatusCode();

        await Observations.WaitUntilAsync(q =>
            q.Records.Any(r => r.Id == updated && r.Data.GetProperty("firstName").GetString() == "Changed")
            && q.Records.Any(r => r.Id == deleted && r.DeletedUtc is not null)
            && q.Records.Any(r => r.Id == revenant && r.DeletedUtc is null && r.Data.GetProperty("firstName").GetString() == "Back"));

        // Each change arrives after the version it replaces, and the revival after the deletion.
        var revenantVersions = Observations.Records.Where(r => r.Id == revenant).Select(r => r.DeletedUtc is null ? "live" : "deleted").Distinct().ToList();
        Assert.Equal(["live", "deleted", "live"], Observations.Records.Where(r => r.Id == revenant).Select(r => r.DeletedUtc is null ? "live" : "deleted")
            .Aggregate(new List<string>(), (runs, state) => { if (runs.Count == 0 || runs[^1] != state) runs.Add(state); return runs; }));
        Assert.Equal(2, revenantVersions.Count);
    }

    [Fact]
    public async Task Five_hundred_contacts_sharing_one_updatedUtc_across_a_page_boundary_all_arrive_exactly_once()
    {
        var all = await SandboxContactIdsAsync();
        StartIngest(IngestHost.Propstreet(Sandbox.BaseUrl, pageSize: 300, schedule: "00:00:00.300"));
        await Observations.WaitUntilAsync(q => q.Records.Select(r => r.Id).ToHashSet().IsSupersetOf(all));

        using var touched = await Sandbox.Control.PostAsJsonAsync(new Uri("/_sandbox/propstreet/contacts:bulk-touch", UriKind.Relative), new { count = 500, addTag = "bulk" });
        touched.EnsureSuccessStatusCode();
        var touch = await touched.Content.ReadFromJsonAsync<JsonElement>();
        var ids = touch.GetProperty("ids").EnumerateArray().Select(i => i.GetString()!).ToHashSet();
        var stamp = touch.GetProperty("updatedUtc").GetDateTimeOffset();
        Assert.Equal(500, ids.Count);

        bool AtStamp(SentRecord r) => ids.Contains(r.Id) && r.UpdatedUtc == stamp;
        await Observations.WaitUntilAsync(q => q.Records.Where(AtStamp).Select(r => r.Id).ToHashSet().SetEquals(ids));

        // A later delta re-reads the boundary (inclusive updated_since) as the very same pages: the same observation
        // ids, which the store records as processed. Counted per observation, every touched contact arrives once.
        var distinct = Observations.Received.DistinctBy(o => o.ObservationId).SelectMany(o => o.Records).Where(AtStamp).ToList();
        Assert.Equal(500, distinct.Count);
        Assert.Equal(ids.Order(), distinct.Select(r => r.Id).Order());
    }

    protected override IDictionary<string, string?> SandboxSettings => new Dictionary<string, string?> { ["Sandbox:Sizes:Contacts"] = "700" };
}
