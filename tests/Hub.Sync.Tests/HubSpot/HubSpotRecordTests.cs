using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Hub.Sync.HubSpot;
using Hub.Sync.Records;

namespace Hub.Sync.Tests.HubSpot;

public sealed class HubSpotRecordTests
{
    // As the event store stores documents: camel case, enums as strings.
    private static readonly JsonSerializerOptions Stored = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-29T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private static HubSpotRecord Observed(string json)
    {
        var source = new SourceRecord(SourceRecord.StreamKey("propstreet", "contact", "7"), "propstreet", "main", "contact", "7", Now,
            null, null, false, JsonDocument.Parse(json).RootElement.Clone(), 1);
        return HubSpotRecord.Observed(null, source, 1);
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
}
