using System.Text;
using System.Text.Json;
using Hub.Crm.HubSpot;
using Hub.Ingest.HubSpot;
using Hub.Ingest.Webhooks;

namespace Hub.Ingest.Tests.Webhooks;

/// <summary>What HubSpot's events become, as the pure mapping decides it.</summary>
public sealed class HubSpotWebhookEventsTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    private static List<HubSpotWebhookEvent> Events(string json) =>
        [.. Assert.IsType<HubSpotWebhookEvents.Events>(HubSpotWebhookEvents.Read(Encoding.UTF8.GetBytes(json))).Mapped];

    private static HubSpotObject Contact(string id, DateTimeOffset modified, string firstname) =>
        new(id, new Dictionary<string, string?> { ["firstname"] = firstname, ["lastmodifieddate"] = modified.ToString("O") }, modified, modified, false);

    private static string? Text(JsonElement data, string name) => data.TryGetProperty(name, out var v) ? v.GetString() : null;

    [Fact]
    public void A_merge_into_a_new_record_points_the_primary_and_the_merged_record_to_the_new_one()
    {
        var events = Events($$"""[{"eventId":7,"subscriptionType":"contact.merge","objectId":10,"occurredAt":{{At.ToUnixTimeMilliseconds()}},"primaryObjectId":10,"mergedObjectIds":[11],"newObjectId":12}]""");
        var read = new Dictionary<(string, string), HubSpotObject> { [("contacts", "12")] = Contact("12", At, "Mia") };

        var (resource, records) = Assert.Single(HubSpotWebhookEvents.Observe(events, read));

        Assert.Equal("contact", resource);
        Assert.Equal("12", records[0].Id);
        Assert.Equal(["10", "11"], records.Skip(1).Select(r => r.Id).Order(StringComparer.Ordinal));
        Assert.All(records.Skip(1), r => Assert.Equal("12", Text(r.Data, HubSpotObservations.MergedInto)));
        Assert.Equal("Mia", Text(records[0].Data, "firstname"));
    }

    [Fact]
    public void The_property_changes_a_creation_fires_observe_the_record_once_versioned_by_its_last_change_not_the_events()
    {
        var modified = At.AddSeconds(-3);
        var events = Events($$"""
            [{"eventId":1,"subscriptionType":"contact.creation","objectId":5,"occurredAt":{{At.ToUnixTimeMilliseconds()}}},
             {"eventId":2,"subscriptionType":"contact.propertyChange","objectId":5,"occurredAt":{{At.ToUnixTimeMilliseconds()}},"propertyName":"firstname","propertyValue":"Ann"}]
            """);
        var read = new Dictionary<(string, string), HubSpotObject> { [("contacts", "5")] = Contact("5", modified, "Anna") };

        var record = Assert.Single(Assert.Single(HubSpotWebhookEvents.Observe(events, read)).Records);

        Assert.Equal(modified, record.UpdatedUtc);
        Assert.Equal("Anna", Text(record.Data, "firstname"));
    }

    [Fact]
    public void A_change_to_a_record_HubSpot_no_longer_returns_observes_nothing_rather_than_a_guess()
    {
        var events = Events($$"""[{"eventId":3,"subscriptionType":"company.propertyChange","objectId":9,"occurredAt":{{At.ToUnixTimeMilliseconds()}}}]""");

        Assert.Empty(HubSpotWebhookEvents.Observe(events, new Dictionary<(string, string), HubSpotObject>()));
    }
}
