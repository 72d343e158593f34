using System.Text.Json;
using Hub.Sync.HubSpot;
using Hub.Sync.Records;

namespace Hub.Sync.Tests.HubSpot;

public sealed class HubSpotMappingTests
{
    private static SourceRecord Record(string source, string resource, string id, string json, bool deleted = false) =>
        new(SourceRecord.StreamKey(source, resource, id), source, "main", resource, id, DateTimeOffset.UnixEpoch,
            deleted ? DateTimeOffset.UnixEpoch : null, "\"1\"", false, JsonDocument.Parse(json).RootElement.Clone(), 1);

    [Fact]
    public void Propstreet_contact_becomes_a_HubSpot_contact_upserted_by_propstreet_id()
    {
        var target = HubSpotMapping.Map(Record("propstreet", "contact", "123", """
            {"id":"123","uri":"https://app.propstreet.com/network/contacts/123","firstName":"Anna","lastName":"Berg","email":"Anna.Berg@Example.se",
             "phone":"+46701234567","tags":["vip","core"],"strategy":"value_add",
             "companies":[{"id":"7","name":"Other AB","jobTitle":"Analyst","isPrimary":false},{"id":"9","name":"Berg Invest","jobTitle":"CIO","isPrimary":true}]}
            """))!;

        Assert.Equal(("contacts", "propstreet_id", "123"), (target.ObjectType, target.IdProperty, target.IdValue));
        Assert.Equal("Anna", target.Properties["firstname"]);
        Assert.Equal("Berg", target.Properties["lastname"]);
        Assert.Equal("anna.berg@example.se", target.Properties["email"]);
        Assert.Equal("+46701234567", target.Properties["phone"]);
        Assert.Equal("CIO", target.Properties["jobtitle"]);
        Assert.Equal("Berg Invest", target.Properties["company"]);
        Assert.Equal("core;vip", target.Properties["propstreet_tags"]);
        Assert.Equal("value_add", target.Properties["propstreet_strategy"]);
        Assert.Equal("https://app.propstreet.com/network/contacts/123", target.Properties["propstreet_uri"]);
        Assert.False(target.Archived);
    }

    [Fact]
    public void A_field_the_source_empties_is_cleared_in_HubSpot_not_left_stale()
    {
        var before = HubSpotMapping.Map(Record("propstreet", "contact", "1", """{"firstName":"Anna","phone":"+4670"}"""))!;
        var after = HubSpotMapping.Map(Record("propstreet", "contact", "1", """{"firstName":"Anna","phone":null}"""))!;

        Assert.Equal("", after.Properties["phone"]);
        Assert.NotEqual(HubSpotMapping.Hash(before), HubSpotMapping.Hash(after));
    }

    [Fact]
    public void Propstreet_company_becomes_a_HubSpot_company_with_its_domain()
    {
        var target = HubSpotMapping.Map(Record("propstreet", "company", "55", """
            {"id":"55","name":"Nordic Estates","website":"https://www.nordicestates.se/about","city":"Stockholm","country":"SE","tags":["core"]}
            """))!;

        Assert.Equal(("companies", "propstreet_id", "55"), (target.ObjectType, target.IdProperty, target.IdValue));
        Assert.Equal("Nordic Estates", target.Properties["name"]);
        Assert.Equal("nordicestates.se", target.Properties["domain"]);
        Assert.Equal("Stockholm", target.Properties["city"]);
        Assert.Equal("core", target.Properties["propstreet_tags"]);
    }

    [Theory]
    [InlineData("open", "drafting", false, "appointmentscheduled")]
    [InlineData("open", "published", false, "qualifiedtobuy")]
    [InlineData("open", "verified", false, "presentationscheduled")]
    [InlineData("open", "communicated", false, "decisionmakerboughtin")]
    [InlineData("closed", "communicated", true, "closedwon")]
    [InlineData("closed", "communicated", false, "closedlost")]
    public void Deal_stage_follows_the_project_status_and_teaser_stage(string status, string teaser, bool transaction, string stage) =>
        Assert.Equal(stage, HubSpotMapping.DealStage(status, teaser, transaction));

    [Fact]
    public void Propstreet_project_becomes_a_deal_in_the_default_pipeline()
    {
        var target = HubSpotMapping.Map(Record("propstreet", "project", "1003", """
            {"id":"1003","name":"Kungsholmen office","status":"closed","classification":"active","teaser":{"stage":"communicated"},
             "asset":{"type":"portfolio","propertyCount":4},"price":{"value":125000000,"currency":"SEK","scale":"units"},
             "transactions":[{"closedUtc":"2025-03-01T12:00:00Z"}]}
            """))!;

        Assert.Equal(("deals", "propstreet_id", "1003"), (target.ObjectType, target.IdProperty, target.IdValue));
        Assert.Equal("Kungsholmen office", target.Properties["dealname"]);
        Assert.Equal("default", target.Properties["pipeline"]);
        Assert.Equal("closedwon", target.Properties["dealstage"]);
        Assert.Equal("125000000", target.Properties["amount"]);
        Assert.Equal("SEK", target.Properties["deal_currency_code"]);
        Assert.Equal(DateTimeOffset.Parse("2025-03-01T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture), target.Properties["closedate"]);
        Assert.Equal("4", target.Properties["propstreet_property_count"]);
        Assert.Equal("communicated", target.Properties["propstreet_teaser_stage"]);
    }

    [Fact]
    public void Prospect_becomes_an_association_from_its_deal_to_its_contact_labelled_with_its_classification()
    {
        var target = HubSpotMapping.Map(Record("propstreet", "prospect", "77", """{"id":"77","projectId":"1003","contactId":"123","classification":"interested"}"""))!;

        Assert.Equal(new HubSpotLink("propstreet-project-1003", "contacts", "propstreet-contact-123", "interested"), target.Link);
        Assert.Empty(target.Properties);
    }

    [Fact]
    public void Company_prospect_links_the_deal_to_the_company()
    {
        var target = HubSpotMapping.Map(Record("propstreet", "prospect", "78", """{"id":"78","projectId":"1003","companyId":"55","classification":"bidder"}"""))!;

        Assert.Equal(new HubSpotLink("propstreet-project-1003", "companies", "propstreet-company-55", "bidder"), target.Link);
    }

    [Fact]
    public void Property_finder_lead_becomes_a_contact_in_the_lead_stage_upserted_by_lead_id()
    {
        var target = HubSpotMapping.Map(Record("propertyfinder", "lead", "lead_987654", """
            {"id":"lead_987654","name":"John Doe","email":"johndoe@example.com","phone":"+971501234567","message":"Please call me.",
             "channel":"call","createdAt":"2025-12-19T10:30:00Z","listing":{"id":554433,"reference":"APT-DOWNTOWN-101","title":"Luxury 2BR"},
             "assignedTo":{"id":1234,"name":"Agent Sarah"},"callRecordingUrl":"https://pf.example/rec/1.mp3"}
            """))!;

        Assert.Equal(("contacts", "propertyfinder_lead_id", "lead_987654"), (target.ObjectType, target.IdProperty, target.IdValue));
        Assert.Equal("John", target.Properties["firstname"]);
        Assert.Equal("Doe", target.Properties["lastname"]);
        Assert.Equal("lead", target.Properties["lifecyclestage"]);
        Assert.Equal("Please call me.", target.Properties["lead_message"]);
        Assert.Equal("call", target.Properties["lead_channel"]);
        Assert.Equal("APT-DOWNTOWN-101", target.Properties["lead_listing_reference"]);
        Assert.Equal("https://pf.example/rec/1.mp3", target.Properties["lead_call_recording_url"]);
        Assert.Equal("APT-DOWNTOWN-101", HubSpotMapping.ListingReference(target));
    }

    [Fact]
    public void A_deleted_record_maps_to_an_archived_target_with_its_own_hash()
    {
        const string json = """{"id":"5","firstName":"Per"}""";
        var live = HubSpotMapping.Map(Record("propstreet", "contact", "5", json))!;
        var deleted = HubSpotMapping.Map(Record("propstreet", "contact", "5", json, deleted: true))!;

        Assert.True(deleted.Archived);
        Assert.NotEqual(HubSpotMapping.Hash(live), HubSpotMapping.Hash(deleted));
    }

    [Fact]
    public void The_hash_depends_on_values_not_on_the_order_the_source_sent_them()
    {
        var a = HubSpotMapping.Map(Record("propstreet", "contact", "5", """{"firstName":"Per","lastName":"Ek","tags":["a","b"]}"""))!;
        var b = HubSpotMapping.Map(Record("propstreet", "contact", "5", """{"tags":["b","a"],"lastName":"Ek","firstName":"Per"}"""))!;

        Assert.Equal(HubSpotMapping.Hash(a), HubSpotMapping.Hash(b));
    }

    [Fact]
    public void Linked_properties_have_no_HubSpot_counterpart() =>
        Assert.Null(HubSpotMapping.Map(Record("propstreet", "property", "9", """{"id":"9"}""")));
}
