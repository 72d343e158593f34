using System.Net.Http.Json;
using System.Text.Json;
using Hub.Ingest.Tests.Hosting;

namespace Hub.Ingest.Tests.Webhooks;

/// <summary>
/// A deal's association labels edited in the HubSpot sandbox's CRM reach Ingest as <c>*.associationChange</c>
/// deliveries, and arrive on <c>hub-observations</c> as the pair's record (<c>hubspot-association-deal-…</c>).
/// </summary>
public sealed class HubSpotAssociationDeliveryTests(HubSpotWebhookHostFixture fixture) : IClassFixture<HubSpotWebhookHostFixture>
{
    private HubSpotWebhookHost Host => fixture.Host;

    private static string? Text(SentRecord record, string property) =>
        record.Data.TryGetProperty(property, out var value) ? value.GetString() : null;

    private async Task<string> CreateAsync(string objectType, object properties)
    {
        using var created = await Host.Sandbox.Control.PostAsJsonAsync(new Uri($"/_sandbox/hubspot/objects/{objectType}", UriKind.Relative), new { properties });
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    /// <summary>A user sets the pair's labels in HubSpot.</summary>
    private async Task LabelAsync(string deal, string contact, params string[] labels)
    {
        using var labelled = await Host.Sandbox.Control.PostAsJsonAsync(new Uri($"/_sandbox/hubspot/associations/deals/{deal}/contacts/{contact}", UriKind.Relative), new { labels });
        labelled.EnsureSuccessStatusCode();
    }

    private async Task<SentRecord> ObservedPairAsync(Func<SentRecord, bool> match)
    {
        SentRecord? found = null;
        await Host.Observations.WaitUntilAsync(o =>
        {
            found = o.Received.Where(x => x.Channel == "webhook" && x.Resource == "association").SelectMany(x => x.Records).FirstOrDefault(match);
            return found is not null;
        });
        return found!;
    }

    [Fact]
    public async Task A_label_a_user_changes_in_HubSpot_is_observed_on_the_deal_and_contact_pair()
    {
        var deal = await CreateAsync("deals", new { dealname = "Tower" });
        var contact = await CreateAsync("contacts", new { firstname = "Ivy", email = $"ivy.{Guid.NewGuid():N}@example.com" });
        var pair = $"deal-{deal}-contact-{contact}";

        await LabelAsync(deal, contact, "Interested");
        var interested = await ObservedPairAsync(r => r.Id == pair && Text(r, "labels") == "Interested");
        await LabelAsync(deal, contact, "Bidder");
        var bidder = await ObservedPairAsync(r => r.Id == pair && Text(r, "labels") == "Bidder");

        Assert.Equal((deal, "contacts", contact, pair), (Text(bidder, "dealId"), Text(bidder, "toObjectType"), Text(bidder, "toObjectId"), Text(bidder, "hs_object_id")));
        Assert.True(bidder.UpdatedUtc > interested.UpdatedUtc, "the relabelled pair is a newer state");
        Assert.Null(bidder.DeletedUtc);
        Assert.StartsWith($"webhook:{Host.Connection}:association:", Host.Observations.Received.First(o => o.Records.Contains(bidder)).ObservationId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_association_a_user_removes_in_HubSpot_is_observed_deleted()
    {
        var deal = await CreateAsync("deals", new { dealname = "Harbour" });
        var contact = await CreateAsync("contacts", new { firstname = "Rex", email = $"rex.{Guid.NewGuid():N}@example.com" });
        var pair = $"deal-{deal}-contact-{contact}";
        await LabelAsync(deal, contact, "Contacted");
        var live = await ObservedPairAsync(r => r.Id == pair && Text(r, "labels") == "Contacted");

        using (var removed = await Host.Sandbox.Control.DeleteAsync(new Uri($"/_sandbox/hubspot/associations/deals/{deal}/contacts/{contact}", UriKind.Relative)))
            removed.EnsureSuccessStatusCode();
        var deleted = await ObservedPairAsync(r => r.Id == pair && r.DeletedUtc is not null);

        Assert.Equal(deleted.UpdatedUtc, deleted.DeletedUtc);
        Assert.True(deleted.UpdatedUtc > live.UpdatedUtc, "the removal is the newest state of the pair");
        Assert.Equal("", Text(deleted, "labels"));
    }
}
