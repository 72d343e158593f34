using System.Net.Http.Json;
using System.Text.Json;
using Hub.Crm.HubSpot;
using Hub.Projections.HubSpot;
using Hub.Sync.HubSpot;
using Hub.Sync.Records;
using Hub.Sync.TwoWay;
using Microsoft.Extensions.DependencyInjection;

namespace Hub.Projections.Tests.TwoWay;

public sealed class TwoWaySyncTests : TwoWaySyncTest
{
    private static readonly string[] FromPropstreet = ["from-propstreet"];

    [Fact]
    public async Task An_edit_in_HubSpot_reaches_Propstreet_and_the_records_history_explains_it()
    {
        await SyncBothWaysAsync();
        var contact = await ContactAsync();
        var hubSpotId = contact.On(Connection)!.HubSpotId!;

        await EditInHubSpotAsync(hubSpotId, new { firstname = "Hedda", phone = "070-123 45 67" });
        await WaitUntilSettledAsync(async () => Text(await PropstreetContactAsync(contact.Source.RecordId), "firstName") == "Hedda");

        // Propstreet stores the number in E.164; HubSpot keeps what its user typed: one value, so nothing goes back.
        Assert.Equal("+46701234567", Text(await PropstreetContactAsync(contact.Source.RecordId), "phone"));
        Assert.Equal("070-123 45 67", Text(await HubSpotContactAsync(hubSpotId), "phone"));
        var events = await StreamAsync(contact.Id);
        var decided = events.Select(e => e.Data).OfType<SyncDecided>().Last();
        Assert.Contains(decided.Fields, f => f.Property == "firstname" && f.Winner == Winner.HubSpot && f.Rule == DecisionRule.OnlyHubSpotChanged);

        var history = HubSpotFieldHistory.Explain(contact.Id, Connection, "firstname",
            [.. events.Select(e => new StoredEvent(e.Version, e.Timestamp, e.Data))]);
        Assert.Equal("Hedda", history.Value);
        Assert.Contains("written back to Propstreet", history.Answer, StringComparison.Ordinal);
        Assert.Contains("HubSpot changed firstname", history.Answer, StringComparison.Ordinal);
        await AssertParityAsync();
    }

    [Fact]
    public async Task An_edit_in_Propstreet_reaches_HubSpot_on_a_two_way_connection()
    {
        await SyncBothWaysAsync();
        var contact = await ContactAsync(1);

        await EditInPropstreetAsync(contact.Source.RecordId, new { lastName = "Propstreetsson" });
        await WaitUntilSettledAsync(async () => Text(await HubSpotContactAsync(contact.On(Connection)!.HubSpotId!), "lastname") == "Propstreetsson");

        await AssertParityAsync();
    }

    [Fact]
    public async Task Simultaneous_edits_resolve_by_the_ownership_rules_and_the_older_value_never_wins()
    {
        await SyncBothWaysAsync();
        var contact = await ContactAsync(2);
        var (propstreetId, hubSpotId) = (contact.Source.RecordId, contact.On(Connection)!.HubSpotId!);

        // Both sides edit while the hub decides nothing: Propstreet first, HubSpot a moment later.
        await Hub.StopHostAsync(0);
        await EditInPropstreetAsync(propstreetId, new { email = "older@propstreet.se", firstName = "Only-Propstreet", tags = FromPropstreet });
        await Task.Delay(TimeSpan.FromMilliseconds(200));
        await EditInHubSpotAsync(hubSpotId, new { email = "newer@hubspot.se", lastname = "Only-HubSpot", propstreet_tags = "from-hubspot" });
        await Task.Delay(TimeSpan.FromSeconds(3));   // Ingest observes both sides meanwhile
        Hub.StartHost(settings: TwoWaySettings());

        await WaitUntilSettledAsync(async () =>
        {
            var (propstreet, hubSpot) = (await PropstreetContactAsync(propstreetId), await HubSpotContactAsync(hubSpotId));
            return Text(propstreet, "email") == "newer@hubspot.se" && Text(hubSpot, "propstreet_tags") == "from-propstreet"
                && Text(propstreet, "lastName") == "Only-HubSpot" && Text(hubSpot, "firstname") == "Only-Propstreet";
        });

        var inPropstreet = await PropstreetContactAsync(propstreetId);
        // Email: both changed, HubSpot's is the later edit. Tags: both changed, Propstreet owns them though HubSpot's came later.
        Assert.Equal(["from-propstreet"], inPropstreet.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("Only-Propstreet", Text(inPropstreet, "firstName"));
        var decisions = (await StreamAsync(contact.Id)).Select(e => e.Data).OfType<SyncDecided>().SelectMany(d => d.Fields).ToList();
        Assert.Contains(decisions, f => f is { Property: "email", Winner: Winner.HubSpot, Rule: DecisionRule.Newer });
        Assert.Contains(decisions, f => f is { Property: "propstreet_tags", Winner: Winner.Propstreet, Rule: DecisionRule.Owner });
        Assert.DoesNotContain(decisions, f => f.Property == "email" && f.Winner == Winner.Propstreet);
        await AssertParityAsync();
    }

    [Fact]
    public async Task A_write_that_meets_a_newer_Propstreet_record_is_decided_again_and_ends_right()
    {
        await SyncBothWaysAsync();
        var contact = await ContactAsync(3);
        var (propstreetId, hubSpotId) = (contact.Source.RecordId, contact.On(Connection)!.HubSpotId!);

        // The hub watches only HubSpot: Propstreet's edit is unknown to it when it writes HubSpot's change back.
        await StopIngestAsync();
        var hubSpotOnly = IngestSettings();
        hubSpotOnly.Remove("Ingest:Connections:main:Source");
        foreach (var key in hubSpotOnly.Keys.Where(k => k.StartsWith("Ingest:Connections:", StringComparison.Ordinal)).ToList())
            hubSpotOnly.Remove(key);
        foreach (var (key, value) in TwoWaySettings())
            hubSpotOnly[key] = value;
        await EditInPropstreetAsync(propstreetId, new { lastName = "From-Propstreet" });
        StartIngest(hubSpotOnly);
        await EditInHubSpotAsync(hubSpotId, new { firstname = "From-HubSpot" });

        // The write lands in Propstreet first, then its decision in the store.
        await ProjectionsHost.WaitUntilAsync(async () => Text(await PropstreetContactAsync(propstreetId), "firstName") == "From-HubSpot"
            && (await StreamAsync(contact.Id)).Any(e => e.Data is SyncDecided));

        var inPropstreet = await PropstreetContactAsync(propstreetId);
        Assert.Equal("From-Propstreet", Text(inPropstreet, "lastName"));   // the 412 kept Propstreet's own edit
        var events = await StreamAsync(contact.Id);
        var refetched = events.First(e => e.Data is RecordUpdated u && u.Changed.TryGetProperty("lastName", out var name) && name.GetString() == "From-Propstreet");
        var decision = events.First(e => e.Data is SyncDecided);
        Assert.True(refetched.Version < decision.Version, "the decision that was written was made on the refetched record");

        // With Propstreet watched again, HubSpot gets Propstreet's edit and both sides agree.
        StartTwoWayIngest();
        await WaitUntilSettledAsync(async () => Text(await HubSpotContactAsync(hubSpotId), "lastname") == "From-Propstreet");
        await AssertParityAsync();
    }

    [Fact]
    public async Task The_hubs_own_writes_cause_no_echo_on_either_side()
    {
        await SyncBothWaysAsync();
        var (fromHubSpot, fromPropstreet) = (await ContactAsync(4), await ContactAsync(5));
        await EditInHubSpotAsync(fromHubSpot.On(Connection)!.HubSpotId!, new { lastname = "Echo-Free" });
        await EditInPropstreetAsync(fromPropstreet.Source.RecordId, new { firstName = "Echo-Free" });
        await WaitUntilSettledAsync(async () =>
            Text(await PropstreetContactAsync(fromHubSpot.Source.RecordId), "lastName") == "Echo-Free"
            && Text(await HubSpotContactAsync(fromPropstreet.On(Connection)!.HubSpotId!), "firstname") == "Echo-Free");

        var writes = await HubSpotWritesAsync();
        var etags = (Text(await PropstreetContactAsync(fromHubSpot.Source.RecordId), "etag"), Text(await PropstreetContactAsync(fromPropstreet.Source.RecordId), "etag"));
        var sequence = (await Hub.Store.Advanced.FetchEventStoreStatistics()).EventSequenceNumber;

        // A quiet minute: the pollers keep reading both sides, and the hub's own writes come back to it as echoes.
        await Task.Delay(TimeSpan.FromMinutes(1));

        Assert.Equal(writes, await HubSpotWritesAsync());
        Assert.Equal(etags, (Text(await PropstreetContactAsync(fromHubSpot.Source.RecordId), "etag"), Text(await PropstreetContactAsync(fromPropstreet.Source.RecordId), "etag")));
        Assert.Equal(sequence, (await Hub.Store.Advanced.FetchEventStoreStatistics()).EventSequenceNumber);
    }

    [Fact]
    public async Task A_contact_created_in_HubSpot_becomes_a_Propstreet_contact_and_no_duplicate()
    {
        await SyncBothWaysAsync();
        var liveBefore = Live(await Sandbox.HubSpotStatsAsync(), "contacts");
        using (var created = await Sandbox.Control.PostAsJsonAsync(new Uri("/_sandbox/hubspot/objects/contacts", UriKind.Relative),
                   new { properties = new { firstname = "Nova", lastname = "Hubspotsdotter", email = "nova@hubspot.se" } }))
            created.EnsureSuccessStatusCode();

        SourceRecord? born = null;
        await WaitUntilSettledAsync(async () =>
        {
            born = (await Hub.RecordsAsync()).FirstOrDefault(r => r.Source == "propstreet" && r.Resource == "contact"
                && r.Fields.TryGetProperty("email", out var email) && email.GetString() == "nova@hubspot.se");
            return born is not null;
        });

        var hubSpot = Hub.Services.GetRequiredService<HubSpotClients>()[Connection];
        var linked = Assert.Single(await hubSpot.ReadAsync(HubSpotObjectTypes.Contacts, HubSpotMapping.PropstreetId, [born!.RecordId], ["email"]));
        Assert.Equal("nova@hubspot.se", linked.Properties["email"]);
        Assert.Equal(liveBefore + 1, Live(await Sandbox.HubSpotStatsAsync(), "contacts"));
        await AssertParityAsync();
    }

    [Fact]
    public async Task A_contact_deleted_in_HubSpot_is_deleted_in_Propstreet_and_not_pushed_again()
    {
        await SyncBothWaysAsync();
        var contact = await ContactAsync(6);
        var hubSpotId = contact.On(Connection)!.HubSpotId!;
        var liveBefore = Live(await Sandbox.HubSpotStatsAsync(), "contacts");

        using (var deleted = await Sandbox.Control.DeleteAsync(new Uri($"/_sandbox/hubspot/objects/contacts/{hubSpotId}", UriKind.Relative)))
            deleted.EnsureSuccessStatusCode();
        await WaitUntilSettledAsync(async () => (await PropstreetContactAsync(contact.Source.RecordId)).GetProperty("deletedUtc").ValueKind == JsonValueKind.String);

        Assert.Equal(liveBefore - 1, Live(await Sandbox.HubSpotStatsAsync(), "contacts"));
        Assert.Contains((await StreamAsync(contact.Id)).Select(e => e.Data).OfType<SyncDecided>(), d => d.RecordAction == nameof(RecordAction.DeleteInPropstreet));
        await AssertParityAsync();
    }

    [Fact]
    public async Task A_HubSpot_merge_leaves_one_record_linked_to_the_Propstreet_contact()
    {
        await SyncBothWaysAsync();
        var contact = await ContactAsync(7);
        var hubSpotId = contact.On(Connection)!.HubSpotId!;
        // A duplicate someone keyed in HubSpot with only a phone number, kept as the primary of the merge.
        string duplicate;
        using (var created = await Sandbox.Control.PostAsJsonAsync(new Uri("/_sandbox/hubspot/objects/contacts", UriKind.Relative),
                   new { properties = new { phone = "+46709998877" } }))
            duplicate = (await created.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        using (var merged = await Sandbox.Control.PostAsJsonAsync(new Uri("/_sandbox/hubspot/objects/contacts/merge", UriKind.Relative),
                   new { primaryObjectId = duplicate, objectIdToMerge = hubSpotId }))
            merged.EnsureSuccessStatusCode();
        await WaitUntilSettledAsync(async () => (await ModelAsync(contact.Id)).On(Connection)?.HubSpotId == duplicate);

        var hubSpot = Hub.Services.GetRequiredService<HubSpotClients>()[Connection];
        var linked = Assert.Single(await hubSpot.ReadAsync(HubSpotObjectTypes.Contacts, HubSpotMapping.PropstreetId, [contact.Source.RecordId], ["email", "phone"]));
        Assert.Equal(duplicate, linked.Id);
        Assert.Equal(contact.Target!.Properties["email"], linked.Properties["email"]);
        await AssertParityAsync();
    }

    [Fact]
    public async Task A_contact_deleted_in_HubSpot_for_privacy_is_deleted_in_Propstreet_and_never_recreated_in_HubSpot()
    {
        Hub.StartHost(settings: TwoWaySettings());
        await StartTwoWayIngestWithWebhooksAsync("contact.privacyDeletion");
        await WaitUntilPushSettledAsync(atLeastRecords: Contacts);
        await WaitUntilSettledAsync();
        var contact = await ContactAsync(9);
        var hubSpotId = contact.On(Connection)!.HubSpotId!;
        var liveBefore = Live(await Sandbox.HubSpotStatsAsync(), "contacts");

        // The person asks HubSpot to forget them; a moment later someone edits them in Propstreet (the newer change).
        using (var forgotten = await Sandbox.Control.PostAsync(new Uri($"/_sandbox/hubspot/objects/contacts/{hubSpotId}/gdpr-delete", UriKind.Relative), null))
            forgotten.EnsureSuccessStatusCode();
        await EditInPropstreetAsync(contact.Source.RecordId, new { firstName = "Edited-After" });
        await WaitUntilSettledAsync(async () => (await PropstreetContactAsync(contact.Source.RecordId)).GetProperty("deletedUtc").ValueKind == JsonValueKind.String);

        Assert.Equal(liveBefore - 1, Live(await Sandbox.HubSpotStatsAsync(), "contacts"));
        var hubSpot = Hub.Services.GetRequiredService<HubSpotClients>()[Connection];
        Assert.Empty(await hubSpot.ReadAsync(HubSpotObjectTypes.Contacts, HubSpotMapping.PropstreetId, [contact.Source.RecordId], ["email"]));
        Assert.Contains((await StreamAsync(contact.Id)).Select(e => e.Data).OfType<SyncDecided>(),
            d => d.RecordAction == nameof(RecordAction.DeleteInPropstreet) && d.RecordReason!.Contains("privacy", StringComparison.Ordinal));
    }
}
