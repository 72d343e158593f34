using System.Text.Json.Nodes;

namespace Hub.Sandbox.Tests.HubSpot.Seeding;

public sealed class HubSpotSeedTests
{
    [Fact]
    public async Task Most_but_not_all_seeded_leads_find_a_listing_by_reference_and_every_listing_has_an_owner()
    {
        await using var sandbox = new HubSpotSandbox();
        var hubspot = sandbox.Api();
        var propertyFinder = await sandbox.CreatePropertyFinderClientAsync();

        var listings = new List<JsonNode>();
        string? after = null;
        do
        {
            var page = await HubSpotSandbox.ReadAsync(await hubspot.GetAsync("/crm/v3/objects/listings?limit=100&properties=reference,name,hubspot_owner_id" + (after is null ? "" : $"&after={Uri.EscapeDataString(after)}")));
            listings.AddRange(page["results"]!.AsArray().Select(r => r!));
            after = page["paging"]?["next"]?["after"]?.GetValue<string>();
        }
        while (after is not null);
        var owners = (await HubSpotSandbox.ReadAsync(await hubspot.GetAsync("/crm/v3/owners")))["results"]!.AsArray().Select(o => o!["id"]!.GetValue<string>()).ToHashSet();
        var references = listings.Select(l => l["properties"]!["reference"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);

        var leads = new List<JsonNode>();
        for (var page = 1; ; page++)
        {
            var body = await HubSpotSandbox.ReadAsync(await propertyFinder.GetAsync($"/v1/leads?perPage=50&page={page}"));
            leads.AddRange(body["data"]!.AsArray().Select(l => l!));
            if (page >= body["pagination"]!["totalPages"]!.GetValue<int>())
                break;
        }

        var matched = leads.Count(l => references.Contains(l["listing"]!["reference"]!.GetValue<string>()));
        Assert.Equal(230, leads.Count);
        Assert.InRange(matched, leads.Count * 3 / 4, leads.Count - 1);
        Assert.All(listings, l => Assert.Contains(l["properties"]!["hubspot_owner_id"]!.GetValue<string>(), owners));
    }
}
