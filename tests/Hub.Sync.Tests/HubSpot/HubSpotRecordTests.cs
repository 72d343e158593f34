using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Hub.Sync.HubSpot;
using Hub.Sync.Records;
using Hub.Sync.TwoWay;

namespace Hub.Sync.Tests.HubSpot;

public sealed class HubSpotRecordTests
{
    // As the event store stores documents: camel case, enums as strings.
    private static readonly JsonSerializerOptions Stored = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-29T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private static HubSpotRecord Observed(string json, HubSpotRecord? current = null, long version = 1)
    {
        var source = new SourceRecord(SourceRecord.StreamKey("propstreet", "contact", "7"), "propstreet", "main", "contact", "7", Now,
            null, null, false, JsonDocument.Parse(json).RootElement.Clone(), version);
        return HubSpotRecord.Observed(current, source, version);
    }

    [Fact]
    public void A_stored_read_model_keeps_the_hash_but_not_the_target_which_maps_again_from_the_source_when_loaded()
    {
        var observed = Observed("""{"firstName":"Anna","lastName":"Berg","email":"anna@example.com"}""");

        var json = JsonSerializer.Serialize(observed, Stored);
        var loaded = JsonSerializer.Deserialize<HubSpotRecord>(json, Stored)!;

        Assert.False(JsonNode.Parse(json)!.AsObject().ContainsKey("target"));
        Assert.Equal(observed.Hash, loaded.Hash);
        Assert.Equal(observed.Target!.Properties, loaded.Target!.Properties);
        Assert.Equal(observed.Hash, HubSpotMapping.Hash(loaded.Target));
        Assert.Equal("anna@example.com", loaded.Target.Properties["email"]);
    }

    [Fact]
    public void A_document_stored_with_its_target_by_an_earlier_version_maps_from_its_source_and_is_written_back_without_it()
    {
        var node = JsonNode.Parse(JsonSerializer.Serialize(Observed("""{"firstName":"Anna","email":"anna@example.com"}"""), Stored))!.AsObject();
        node["target"] = JsonNode.Parse("""{"objectType":"contacts","idProperty":"propstreet_id","idValue":"7","properties":{"email":"stale@example.com"},"link":null,"archived":false}""");

        var loaded = JsonSerializer.Deserialize<HubSpotRecord>(node.ToJsonString(), Stored)!;

        Assert.Equal("anna@example.com", loaded.Target!.Properties["email"]);
        Assert.False(JsonNode.Parse(JsonSerializer.Serialize(loaded, Stored))!.AsObject().ContainsKey("target"));
    }

    [Fact]
    public void A_record_with_no_HubSpot_counterpart_has_no_hash_and_is_in_sync_on_every_connection()
    {
        var source = new SourceRecord(SourceRecord.StreamKey("propstreet", "property", "9"), "propstreet", "main", "property", "9", Now,
            null, null, false, JsonDocument.Parse("""{"name":"Kvarteret"}""").RootElement.Clone(), 1);

        var record = HubSpotRecord.Observed(null, source, 1);

        Assert.Null(record.Target);
        Assert.Null(record.Hash);
        Assert.True(record.InSyncOn("main"));
        Assert.False(record.PendingOn("main"));
    }

    /// <summary>
    /// Pushed once (v1, v2), then edited on both sides: Propstreet's first name and tags (v3), HubSpot's tags. The push
    /// plans on v3 and sends only the first name (HubSpot's tags are its own change); meanwhile the two-way rule
    /// decides HubSpot's change (v4: Propstreet owns tags), and the push's outcome lands after that decision (v5).
    /// </summary>
    private static (HubSpotRecord Decided, HubSpotPushed Outcome, Dictionary<string, string> HubSpot) PushedAcrossADecision()
    {
        var table = ContactFields.Table;
        var first = Observed("""{"firstName":"Anna","lastName":"Berg","tags":["first"]}""");
        var baseline = TwoWayPushRule.For(table, first.Target!.Properties, new Dictionary<string, string>(), null, null).Synced;
        var pushed = first.Pushed(new HubSpotPushed("main", "512", first.Hash!, 1, Now, Synced: baseline, PlannedOnVersion: 1), 2);
        var edited = Observed("""{"firstName":"Only-Propstreet","lastName":"Berg","tags":["from-propstreet"]}""", pushed, 3);
        var hubSpot = new Dictionary<string, string>(baseline, StringComparer.Ordinal) { [ContactFields.Tags] = "from-hubspot" };

        var plan = TwoWayPushRule.For(table, edited.Target!.Properties, hubSpot, edited.On("main")!.Synced, null);
        Assert.Equal([ContactFields.FirstName], plan.Send.Keys);
        var decided = edited.Decided(new SyncDecided("main", "512",
        [
            new FieldDecision(ContactFields.FirstName, Winner.Propstreet, DecisionRule.OnlyPropstreetChanged, "Only-Propstreet", "Anna", "Anna", Now, Now, "Propstreet changed it."),
            new FieldDecision(ContactFields.Tags, Winner.Propstreet, DecisionRule.Owner, "from-propstreet", "from-hubspot", "first", Now, Now.AddSeconds(1), "Propstreet owns it."),
        ], null, 3, 2, Now.AddSeconds(2)), 4);
        hubSpot[ContactFields.FirstName] = "Only-Propstreet";
        var outcome = new HubSpotPushed("main", "512", edited.Hash!, 3, Now.AddSeconds(3), Synced: plan.Synced, HubSpotModifiedUtc: Now.AddSeconds(3),
            PlannedOnVersion: edited.Version, Sent: [.. plan.Send.Keys]);
        return (decided, outcome, hubSpot);
    }

    [Fact]
    public void A_push_planned_before_a_two_way_decision_leaves_the_values_Propstreet_won_to_the_next_push()
    {
        var (decided, outcome, hubSpot) = PushedAcrossADecision();

        var after = decided.Pushed(outcome, 5);

        var state = after.On("main")!;
        Assert.True(after.PendingOn("main"));
        Assert.Equal("Only-Propstreet", state.Synced![ContactFields.FirstName]);   // written by the push: both sides agree
        Assert.Equal(Now.AddSeconds(3), state.HubSpotModifiedUtc);
        var next = TwoWayPushRule.For(ContactFields.Table, after.Target!.Properties, hubSpot, state.Synced, state.Overrides);
        Assert.Equal("from-propstreet", next.Send[ContactFields.Tags]);
        Assert.Empty(next.HeldBack);
    }

    [Fact]
    public void A_push_planned_after_the_decision_settles_the_record()
    {
        var (decided, outcome, _) = PushedAcrossADecision();

        var after = decided.Pushed(outcome with { PlannedOnVersion = decided.Version }, 5);

        Assert.False(after.PendingOn("main"));
        Assert.Equal(outcome.Synced, after.On("main")!.Synced);
        Assert.Null(after.On("main")!.Overrides);
    }
}
