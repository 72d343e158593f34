using System.Text.Json;
using Hub.Sync.HubSpot;
using Hub.Sync.Records;

namespace Hub.Sync.Tests.HubSpot;

public sealed class HubSpotPushPlanTests
{
    private const string Connection = "main";
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-28T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private static HubSpotRecord Observed(string resource, string id, string json, bool deleted = false, HubSpotRecord? before = null)
    {
        var source = new SourceRecord(SourceRecord.StreamKey("propstreet", resource, id), "propstreet", Connection, resource, id, Now,
            deleted ? Now : null, null, false, JsonDocument.Parse(json).RootElement.Clone(), (before?.Version ?? 0) + 1);
        return HubSpotRecord.Observed(before, source, source.Version);
    }

    private static HubSpotRecord Pushed(HubSpotRecord record, string hubSpotId) =>
        record.Pushed(new HubSpotPushed(Connection, hubSpotId, record.Hash!, record.Version, Now), record.Version + 1);

    private static HubSpotPushPlan Plan(IEnumerable<HubSpotRecord> records, params HubSpotRecord[] ends) =>
        HubSpotPushPlan.For(Connection, records, ends.ToDictionary(e => e.Id, StringComparer.Ordinal));

    [Fact]
    public void A_new_record_is_upserted_and_one_HubSpot_already_holds_is_not_sent_again()
    {
        var fresh = Observed("contact", "1", """{"firstName":"Anna"}""");
        var held = Pushed(Observed("contact", "2", """{"firstName":"Per"}"""), "512");

        var plan = Plan([fresh, held]);

        Assert.Equal([fresh], plan.Upserts);
        Assert.Empty(plan.Archives);
    }

    [Fact]
    public void A_changed_record_is_upserted_again()
    {
        var pushed = Pushed(Observed("contact", "1", """{"firstName":"Anna"}"""), "512");
        var changed = Observed("contact", "1", """{"firstName":"Annie"}""", before: pushed);

        Assert.Equal([changed], Plan([changed]).Upserts);
        Assert.Equal("512", changed.On(Connection)!.HubSpotId);
    }

    [Fact]
    public void A_deleted_record_is_archived_by_its_HubSpot_id_and_one_never_pushed_is_only_marked_done()
    {
        var pushed = Pushed(Observed("contact", "1", """{"firstName":"Anna"}"""), "512");
        var deleted = Observed("contact", "1", """{"firstName":"Anna"}""", deleted: true, before: pushed);
        var neverPushed = Observed("contact", "2", """{"firstName":"Per"}""", deleted: true);

        var plan = Plan([deleted, neverPushed]);

        Assert.Equal([(deleted, "512")], plan.Archives);
        Assert.Equal([neverPushed], plan.NothingToSend);
        Assert.Empty(plan.Upserts);
    }

    [Fact]
    public void An_association_waits_until_both_ends_are_in_HubSpot()
    {
        var prospect = Observed("prospect", "77", """{"projectId":"1003","contactId":"123","classification":"interested"}""");
        var deal = Pushed(Observed("project", "1003", """{"name":"Office"}"""), "9001");
        var contactNotYet = Observed("contact", "123", """{"firstName":"Anna"}""");

        var waiting = Plan([prospect], deal, contactNotYet);
        var ready = Plan([prospect], deal, Pushed(contactNotYet, "512"));

        Assert.Equal([prospect], waiting.Waiting);
        Assert.Empty(waiting.Links);
        var link = Assert.Single(ready.Links);
        Assert.Equal(("9001", "512", false), (link.FromId, link.ToId, link.Archive));
    }

    [Fact]
    public void An_association_in_sync_is_made_again_when_its_deal_is_a_new_HubSpot_object()
    {
        var contact = Pushed(Observed("contact", "123", """{"firstName":"Anna"}"""), "512");
        var deal = Pushed(Observed("project", "1003", """{"name":"Office"}"""), "9001");
        var prospect = Pushed(Observed("prospect", "77", """{"projectId":"1003","contactId":"123","classification":"interested"}"""), "9001-512");
        var restored = Pushed(deal, "9002");

        Assert.Empty(Plan([prospect], deal, contact).Links);
        var link = Assert.Single(Plan([prospect], restored, contact).Links);
        Assert.Equal(("9002", "512", false), (link.FromId, link.ToId, link.Archive));
    }

    [Fact]
    public void A_parked_record_is_left_alone_until_it_changes()
    {
        var record = Observed("contact", "1", """{"firstName":"Anna"}""");
        var parked = record.Parked(new HubSpotPushParked(Connection, record.Hash!, "VALIDATION_ERROR: bad email", 5, Now), 2);
        var changed = Observed("contact", "1", """{"firstName":"Anna","email":"anna@example.se"}""", before: parked);

        Assert.Empty(Plan([parked]).Upserts);
        Assert.Equal([changed], Plan([changed]).Upserts);
    }

    [Fact]
    public void Another_connection_has_a_ledger_of_its_own()
    {
        var pushedToMain = Pushed(Observed("contact", "1", """{"firstName":"Anna"}"""), "512");

        var plan = HubSpotPushPlan.For("emea", [pushedToMain], new Dictionary<string, HubSpotRecord>());

        Assert.Equal([pushedToMain], plan.Upserts);
    }
}
