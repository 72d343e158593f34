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

    private static string Association(long eventId, string type, long from, long to, string associationType, bool removed) =>
        $$"""{"eventId":{{eventId}},"subscriptionType":"{{type}}","fromObjectId":{{from}},"toObjectId":{{to}},"associationType":"{{associationType}}","associationCategory":"USER_DEFINED","associationTypeId":102,"associationRemoved":{{(removed ? "true" : "false")}},"isPrimaryAssociation":false,"occurredAt":{{At.ToUnixTimeMilliseconds()}},"changeSource":"CRM_UI"}""";

    [Fact]
    public void An_association_change_seen_from_either_end_names_the_deal_and_its_contact()
    {
        var events = Events($"[{Association(20, "deal.associationChange", 512, 77, "DEAL_TO_CONTACT", false)},{Association(21, "contact.associationChange", 77, 512, "CONTACT_TO_DEAL", false)},{Association(22, "company.associationChange", 9, 512, "COMPANY_TO_DEAL", true)}]");

        Assert.Equal(
            [new HubSpotAssociationChange("512", "contacts", "77", false), new HubSpotAssociationChange("512", "contacts", "77", false), new HubSpotAssociationChange("512", "companies", "9", true)],
            events.Select(e => e.Association));
        Assert.All(events, e => Assert.Equal("association", HubSpotWebhookEvents.Resource(e)));
        Assert.Equal(["512"], HubSpotWebhookEvents.AssociationsToRead(events)["contacts"]);
    }

    [Fact]
    public void A_contact_company_association_change_is_accepted_but_observes_nothing()
    {
        var events = Events($"[{Association(23, "contact.associationChange", 77, 9, "CONTACT_TO_COMPANY", false)}]");

        Assert.Null(Assert.Single(events).Association);
        Assert.Empty(HubSpotWebhookEvents.AssociationsToRead(events));
        Assert.Empty(HubSpotWebhookEvents.Observe(events, new Dictionary<(string, string), HubSpotObject>()));
    }

    [Fact]
    public void A_relabelled_pair_is_observed_once_with_the_labels_the_read_found()
    {
        var events = Events($"[{Association(24, "deal.associationChange", 512, 77, "DEAL_TO_CONTACT", true)},{Association(25, "deal.associationChange", 512, 77, "DEAL_TO_CONTACT", false)}]");
        var read = new Dictionary<string, IReadOnlyList<HubSpotAssociation>>
        {
            ["contacts"] = [new("512", "77", 3), new("512", "77", 103, HubSpotAssociation.UserDefined, "Interested"), new("512", "78", 3)],
        };

        var record = Assert.Single(HubSpotWebhookEvents.ObserveAssociations(events, read, At));

        Assert.Equal("deal-512-contact-77", record.Id);
        Assert.Equal("Interested", Text(record.Data, "labels"));
        Assert.Null(record.DeletedUtc);
    }

    [Fact]
    public void A_removed_pair_with_nothing_left_is_observed_deleted_and_an_added_pair_gone_again_observes_nothing()
    {
        var events = Events($"[{Association(26, "deal.associationChange", 512, 77, "DEAL_TO_CONTACT", true)},{Association(27, "deal.associationChange", 512, 9, "DEAL_TO_COMPANY", false)}]");
        var nothingLeft = new Dictionary<string, IReadOnlyList<HubSpotAssociation>> { ["contacts"] = [], ["companies"] = [] };

        var record = Assert.Single(HubSpotWebhookEvents.ObserveAssociations(events, nothingLeft, At));

        Assert.Equal("deal-512-contact-77", record.Id);
        Assert.Equal(At, record.DeletedUtc);
    }
}
