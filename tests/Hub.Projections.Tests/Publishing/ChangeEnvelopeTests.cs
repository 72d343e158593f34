using System.Net.Mime;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using Hub.Contracts.Changes;
using Hub.Projections.Publishing;
using Hub.Sync.Records;
using JasperFx.Events;

namespace Hub.Projections.Tests.Publishing;

public sealed class ChangeEnvelopeTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Fact]
    public void A_subscriber_decoding_with_the_CloudEvents_SDK_reads_every_attribute_and_the_whole_record_after_each_change()
    {
        const string Key = "propstreet-contact-7";
        var fields = JsonDocument.Parse("""{"id":7,"firstName":"Åsa","title":"v1","note":"<b>+1</b> \"quoted\""}""").RootElement;
        var changed = JsonDocument.Parse("""{"title":"v2"}""").RootElement;
        var created = Stored(new RecordCreated("propstreet", "main", "contact", "7", At(1), null, "W/\"1\"", fields), 1);
        var updated = Stored(new RecordUpdated("propstreet", "main", "contact", "7", At(2), null, "W/\"2\"", changed, ["note"]), 2);
        var afterCreated = SourceRecord.Fold(null, Key, created.Data, 1);
        var afterUpdated = SourceRecord.Fold(afterCreated, Key, updated.Data, 2);

        var formatter = new JsonEventFormatter(Web, default);
        var decoded = new (IEvent Stored, SourceRecord After)[] { (created, afterCreated), (updated, afterUpdated) }.Select(c =>
        {
            var change = ChangeEnvelope.Build(c.Stored, c.After);
            var cloudEvent = formatter.DecodeStructuredModeMessage(change.Body, new ContentType("application/cloudevents+json"), [ChangeEnvelope.StreamVersion]);
            return (change, cloudEvent, Data: ((JsonElement)cloudEvent.Data!).Deserialize<RecordChanged>(Web)!);
        }).ToList();

        var (change1, event1, data1) = decoded[0];
        Assert.Equal(CloudEventsSpecVersion.V1_0, event1.SpecVersion);
        Assert.Equal(created.Id.ToString(), event1.Id);
        Assert.Equal(change1.Id, event1.Id);
        Assert.Equal("/integration-hub/propstreet/main", event1.Source!.ToString());
        Assert.Equal("propstreet.contact.created.v1", event1.Type);
        Assert.Equal(change1.Type, event1.Type);
        Assert.Equal(Key, event1.Subject);
        Assert.Equal(created.Timestamp, event1.Time);
        Assert.Equal("application/json", event1.DataContentType);
        Assert.Equal(1, event1[ChangeEnvelope.StreamVersion]);
        Assert.Equal(["id", "firstName", "title", "note"], data1.ChangedFields);
        Assert.Equal("Åsa", data1.Record.GetProperty("firstName").GetString());
        Assert.Equal("<b>+1</b> \"quoted\"", data1.Record.GetProperty("note").GetString());
        Assert.Equal(At(1), data1.UpdatedUtc);
        Assert.Equal("W/\"1\"", data1.ETag);

        var (_, event2, data2) = decoded[1];
        Assert.Equal("propstreet.contact.updated.v1", event2.Type);
        Assert.Equal(2, event2[ChangeEnvelope.StreamVersion]);
        Assert.Equal(2, data2.StreamVersion);
        Assert.Equal("updated", data2.Change);
        Assert.Equal(["title", "note"], data2.ChangedFields);
        Assert.Equal("v2", data2.Record.GetProperty("title").GetString());
        Assert.False(data2.Record.TryGetProperty("note", out _));
        Assert.Equal("Åsa", data2.Record.GetProperty("firstName").GetString());
    }

    private static DateTimeOffset At(int minute) => new(2026, 11, 29, 12, minute, 0, 123, TimeSpan.Zero);

    private static Event<T> Stored<T>(T data, long version) where T : notnull => new(data)
    {
        Id = Guid.NewGuid(),
        Version = version,
        StreamKey = "propstreet-contact-7",
        Timestamp = At((int)version).AddTicks(4567),
    };
}
