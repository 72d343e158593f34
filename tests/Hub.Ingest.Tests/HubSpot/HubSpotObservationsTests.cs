using System.Text.Json;
using Hub.Crm.HubSpot;
using Hub.Ingest.HubSpot;

namespace Hub.Ingest.Tests.HubSpot;

/// <summary>A deal's association with a contact or company, as the hub observes it (one record per pair).</summary>
public sealed class HubSpotObservationsTests
{
    private static readonly DateTimeOffset ReadAt = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    private static Dictionary<string, string> Fields(JsonElement data) =>
        data.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);

    [Fact]
    public void An_association_is_one_record_per_deal_and_contact_with_its_labels_sorted_and_versioned_by_the_read()
    {
        var record = HubSpotObservations.Association("512", HubSpotObservations.Contacts, "77", ["Interested", "Bidder", "Interested"], ReadAt);

        Assert.Equal("deal-512-contact-77", record.Id);
        Assert.Equal(ReadAt, record.UpdatedUtc);
        Assert.Null(record.DeletedUtc);
        Assert.Null(record.ETag);
        Assert.Equal(new Dictionary<string, string>
        {
            ["dealId"] = "512",
            ["toObjectType"] = "contacts",
            ["toObjectId"] = "77",
            ["labels"] = "Bidder;Interested",
            ["hs_object_id"] = "deal-512-contact-77",
        }, Fields(record.Data));
    }

    [Fact]
    public void A_removed_association_is_deleted_at_the_read_with_no_labels()
    {
        var record = HubSpotObservations.AssociationRemoved("512", HubSpotObservations.Companies, "9", ReadAt);

        Assert.Equal("deal-512-company-9", record.Id);
        Assert.Equal((ReadAt, ReadAt), (record.UpdatedUtc, record.DeletedUtc));
        Assert.Equal("", Fields(record.Data)["labels"]);
        Assert.Equal("companies", Fields(record.Data)["toObjectType"]);
    }

    [Fact]
    public void Only_user_defined_labels_name_a_pair_and_an_unlabelled_pair_has_empty_labels()
    {
        var read = new List<HubSpotAssociation>
        {
            new("512", "77", 3),
            new("512", "77", 102, HubSpotAssociation.UserDefined, "Contacted"),
            new("512", "78", 3),
            new("600", "78", 3, HubSpotAssociation.HubSpotDefined, "Primary"),
        };

        var records = HubSpotObservations.Associations(HubSpotObservations.Contacts, read, ReadAt);

        Assert.Equal(
            [("deal-512-contact-77", "Contacted"), ("deal-512-contact-78", ""), ("deal-600-contact-78", "")],
            records.Select(r => (r.Id, Fields(r.Data)["labels"])));
    }

    [Fact]
    public void A_deal_is_only_observed_associated_with_contacts_or_companies()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => HubSpotObservations.Association("512", HubSpotObservations.Deals, "513", [], ReadAt));
    }
}
