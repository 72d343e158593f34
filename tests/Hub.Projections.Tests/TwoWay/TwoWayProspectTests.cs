using System.Net.Http.Json;
using System.Text.Json;
using Hub.Sync.HubSpot;
using Hub.Sync.TwoWay;

namespace Hub.Projections.Tests.TwoWay;

/// <summary>Prospects ↔ deal associations both ways: the classification label a user sets on a pair is the prospect's classification.</summary>
public sealed class TwoWayProspectTests : TwoWaySyncTest
{
    [Fact]
    public async Task A_label_set_in_HubSpot_reclassifies_the_prospect_and_a_Propstreet_reclassification_relabels_the_pair()
    {
        await SyncBothWaysAsync();
        var (prospect, dealId, contactId) = await ProspectAsync();
        var held = Text(await PropstreetProspectAsync(prospect), "classification");
        var wanted = ProspectFields.Classifications.First(c => c != held);
        var label = LabelFor(wanted);

        await LabelInHubSpotAsync(dealId, contactId, label);
        await WaitUntilSettledAsync(async () => Text(await PropstreetProspectAsync(prospect), "classification") == wanted);

        var decided = (await StreamAsync(prospect.Id)).Select(e => e.Data).OfType<SyncDecided>().Last();
        var field = Assert.Single(decided.Fields);
        Assert.Equal((ProspectFields.Classification, Winner.HubSpot, wanted), (field.Property, field.Winner, (string?)field.HubSpotValue));

        // And back: Propstreet's next classification replaces the label in HubSpot, and the echo writes nothing back.
        var next = ProspectFields.Classifications.First(c => c != wanted);
        await ReclassifyInPropstreetAsync(prospect, next);
        await WaitUntilSettledAsync(async () => (await LabelsInHubSpotAsync(dealId, contactId)).SequenceEqual([LabelFor(next)]));
        Assert.Equal(next, Text(await PropstreetProspectAsync(prospect), "classification"));
        await AssertParityAsync();
    }

    [Fact]
    public async Task Two_classification_labels_on_one_pair_leave_the_prospect_as_it_is_and_say_why()
    {
        await SyncBothWaysAsync();
        var (prospect, dealId, contactId) = await ProspectAsync();
        var classification = Text(await PropstreetProspectAsync(prospect), "classification");

        await LabelInHubSpotAsync(dealId, contactId, "Bidder", "Interested");
        await WaitUntilSettledAsync(async () => (await ModelAsync(prospect.Id)).On(Connection)?.WriteParked is { Length: > 0 });

        Assert.Contains("bidder;interested", (await ModelAsync(prospect.Id)).On(Connection)!.WriteParked, StringComparison.Ordinal);
        Assert.Equal(classification, Text(await PropstreetProspectAsync(prospect), "classification"));
    }

    private static string LabelFor(string classification) =>
        string.Concat(classification[..1].ToUpperInvariant(), classification[1..].Replace('_', ' '));

    /// <summary>A prospect pushed as a deal–contact association, with the pair's HubSpot ids.</summary>
    private async Task<(HubSpotRecord Prospect, string DealId, string ContactId)> ProspectAsync()
    {
        var prospect = (await ReadModelAsync()).Where(r => r.Id.StartsWith("propstreet-prospect-", StringComparison.Ordinal)
                && r.LinkToKey?.StartsWith("propstreet-contact-", StringComparison.Ordinal) == true
                && HubSpotPlannedLink.TryParseLedgerId(r.On(Connection)?.HubSpotId, out _, out _))
            .OrderBy(r => r.Id, StringComparer.Ordinal).First();
        Assert.True(HubSpotPlannedLink.TryParseLedgerId(prospect.On(Connection)!.HubSpotId, out var dealId, out var contactId));
        return (prospect, dealId, contactId);
    }

    /// <summary>A user sets the pair's labels in HubSpot (the CRM's UI).</summary>
    private async Task LabelInHubSpotAsync(string dealId, string contactId, params string[] labels)
    {
        using var response = await Sandbox.Control.PostAsJsonAsync(
            new Uri($"/_sandbox/hubspot/associations/deals/{dealId}/contacts/{contactId}", UriKind.Relative), new { labels });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The pair's user-defined labels as a HubSpot user sees them.</summary>
    private async Task<string[]> LabelsInHubSpotAsync(string dealId, string contactId)
    {
        var pair = await Sandbox.Control.GetFromJsonAsync<JsonElement>(new Uri($"/_sandbox/hubspot/associations/deals/{dealId}/contacts/{contactId}", UriKind.Relative));
        return [.. pair.GetProperty("associationTypes").EnumerateArray()
            .Select(t => t.TryGetProperty("label", out var l) && l.ValueKind == JsonValueKind.String ? l.GetString()! : null)
            .OfType<string>().Order(StringComparer.Ordinal)];
    }

    /// <summary>A user reclassifies the prospect in Propstreet (its UI).</summary>
    private Task ReclassifyInPropstreetAsync(HubSpotRecord prospect, string classification) =>
        EditInPropstreetAtAsync(PathOf(prospect), new { classification });

    private Task<JsonElement> PropstreetProspectAsync(HubSpotRecord prospect) => PropstreetAsync(PathOf(prospect));

    // A prospect's record id is {projectId}:{prospectId}.
    private static string PathOf(HubSpotRecord prospect)
    {
        var id = prospect.Source.RecordId;
        var colon = id.IndexOf(':', StringComparison.Ordinal);
        return $"projects/{id[..colon]}/prospects/{id[(colon + 1)..]}";
    }
}
