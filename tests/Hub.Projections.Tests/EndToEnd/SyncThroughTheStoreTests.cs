using System.Net.Http.Json;
using System.Text.Json;
using Hub.Contracts.Changes;

namespace Hub.Projections.Tests.EndToEnd;

public sealed class SyncThroughTheStoreTests : EndToEndTest
{
    [Fact]
    public async Task Initial_sync_gives_one_stream_per_contact_and_a_subscriber_receives_every_change_in_order()
    {
        Hub.StartHost();
        StartIngest(IngestSettings(pageSize: 500));
        await WaitForStreamsAsync(Contacts);
        await ReceiveEverythingStoredAsync();

        await AssertOneStreamPerContactCreatedOnceAsync();
        await AssertSubscriberReceivedEveryChangeInOrderAsync();
    }

    [Fact]
    public async Task Updates_deletions_and_revivals_in_the_source_reach_the_streams_and_the_subscriber()
    {
        // A contact with an external ref, so an integration's upsert can revive it after it is deleted.
        using var created = await Sandbox.Control.PostAsJsonAsync(new Uri("/_sandbox/propstreet/contacts", UriKind.Relative),
            new { firstName = "Revenant", externalRefs = new[] { new { @namespace = "crm", id = "r-1" } } });
        created.EnsureSuccessStatusCode();
        var revenant = $"propstreet-contact-{(await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()}";
        Hub.StartHost();
        StartIngest(IngestSettings(pageSize: 500, schedule: "00:00:00.300"));
        await WaitForStreamsAsync(Contacts + 1);
        var live = (await Hub.RecordsAsync()).Where(r => !r.IsDeleted && r.Id != revenant).Select(r => r.RecordId).Order(StringComparer.Ordinal).ToList();
        var (updated, deleted) = (live[0], live[1]);

        using (var patch = await Sandbox.Control.PatchAsJsonAsync(new Uri($"/_sandbox/propstreet/contacts/{updated}", UriKind.Relative), new { firstName = "Changed" }))
            patch.EnsureSuccessStatusCode();
        using (var delete = await Sandbox.Control.DeleteAsync(new Uri($"/_sandbox/propstreet/contacts/{deleted}", UriKind.Relative)))
            delete.EnsureSuccessStatusCode();
        using (var delete = await Sandbox.Control.DeleteAsync(new Uri($"/_sandbox/propstreet/contacts/{revenant["propstreet-contact-".Length..]}", UriKind.Relative)))
            delete.EnsureSuccessStatusCode();
        await ProjectionsHost.WaitUntilAsync(async () => (await ContactStreamsAsync())[revenant].Count == 2);
        using (var revive = await Sandbox.PropstreetApiAsync(HttpMethod.Patch, "/api/v1/network/contacts/external/crm/r-1", new { firstName = "Back" }))
            revive.EnsureSuccessStatusCode();
        await ProjectionsHost.WaitUntilAsync(async () => (await ContactStreamsAsync())[revenant].Count == 3);
        await ReceiveEverythingStoredAsync();

        var streams = await ContactStreamsAsync();
        Assert.Equal([ChangeEventTypes.Created, ChangeEventTypes.Updated], streams[$"propstreet-contact-{updated}"].Select(Change));
        Assert.Equal([ChangeEventTypes.Created, ChangeEventTypes.Deleted], streams[$"propstreet-contact-{deleted}"].Select(Change));
        Assert.Equal([ChangeEventTypes.Created, ChangeEventTypes.Deleted, ChangeEventTypes.Revived], streams[revenant].Select(Change));
        var change = Published.Single(p => p.GetProperty("subject").GetString() == $"propstreet-contact-{updated}" && p.GetProperty("streamversion").GetInt64() == 2);
        Assert.Equal("propstreet.contact.updated.v1", change.GetProperty("type").GetString());
        Assert.Equal("Changed", change.GetProperty("data").GetProperty("record").GetProperty("firstName").GetString());
        Assert.Equal(
            ["propstreet.contact.created.v1", "propstreet.contact.deleted.v1", "propstreet.contact.revived.v1"],
            Published.Where(p => p.GetProperty("subject").GetString() == revenant).Select(p => p.GetProperty("type").GetString()).Distinct());
        await AssertSubscriberReceivedEveryChangeInOrderAsync();
    }
}
