using Hub.Crm.HubSpot;

namespace Hub.Crm.Tests.HubSpot;

public sealed class ReadTests : HubSpotTest
{
    protected override IDictionary<string, string?> SandboxSettings => new Dictionary<string, string?>
    {
        ["Sandbox:HubSpot:Owners"] = "130",
        ["Sandbox:HubSpot:SearchVisibilityDelayMs"] = "0",
    };

    [Fact]
    public async Task Listing_pages_through_every_live_record_and_separately_every_archived_one()
    {
        var client = StartHub();
        var written = await client.UpsertAsync("companies", "propstreet_id", [.. Enumerable.Range(0, 230).Select(i => new HubSpotUpsert($"co-{i}", Properties(("name", $"Company {i}"))))]);
        var archivedIds = written.Records.Take(30).Select(r => r.HubSpotId!).ToList();
        Assert.All((await client.ArchiveAsync("companies", archivedIds)).Records, r => Assert.True(r.Succeeded, r.Error?.Message));

        var live = new List<HubSpotObject>();
        await foreach (var company in client.ListAsync("companies", ["propstreet_id", "name"]))
            live.Add(company);
        var archived = new List<HubSpotObject>();
        await foreach (var company in client.ListAsync("companies", ["propstreet_id"], archived: true))
            archived.Add(company);

        Assert.Equal(200, live.Select(c => c.Id).Distinct().Count());
        Assert.All(live, c => Assert.False(c.Archived));
        Assert.Equal("Company 229", live.Single(c => c.Properties["propstreet_id"] == "co-229").Properties["name"]);
        Assert.Equal(archivedIds.Order(), archived.Select(c => c.Id).Order());
        Assert.All(archived, c => Assert.True(c.Archived && c.ArchivedAt is not null));
        Assert.True(Sandbox.RequestsTo("GET", "/crm/v3/objects/companies").Count >= 3, "200 live records take at least two pages of 100, archived ones another");
    }

    [Fact]
    public async Task Owners_are_read_across_pages()
    {
        var client = StartHub();

        var owners = await client.GetOwnersAsync();

        Assert.Equal(130, owners.Select(o => o.Id).Distinct().Count());
        Assert.All(owners, o => Assert.False(string.IsNullOrEmpty(o.Email)));
    }

    [Fact]
    public async Task Seeded_listings_are_read_by_reference_with_their_owner()
    {
        var client = StartHub();
        var owners = (await client.GetOwnersAsync()).Select(o => o.Id).ToHashSet();
        var references = new List<string>();
        await foreach (var listing in client.ListAsync("listings", ["reference"]))
            references.Add(listing.Properties["reference"]!);

        var read = await client.ReadAsync("listings", "reference", [.. references.Take(5), "no-such-reference"], ["reference", "hubspot_owner_id"]);

        Assert.Equal(references.Take(5).Order(), read.Select(l => l.Properties["reference"]).Order());
        Assert.All(read, l => Assert.Contains(l.Properties["hubspot_owner_id"]!, owners));
    }

    [Fact]
    public async Task Search_finds_a_record_by_its_unique_property()
    {
        var client = StartHub();
        await client.UpsertAsync("contacts", "propstreet_id", [new("ps-7", Properties(("firstname", "Grace"))), new("ps-8", Properties(("firstname", "Alan")))]);

        var page = await client.SearchAsync("contacts", new HubSpotSearch(
            [new HubSpotFilterGroup([new HubSpotFilter("propstreet_id", "EQ", "ps-7")])],
            ["propstreet_id", "firstname"],
            [new HubSpotSort("lastmodifieddate")]));

        Assert.Equal(1, page.Total);
        Assert.Equal("Grace", Assert.Single(page.Results).Properties["firstname"]);
        Assert.Null(page.After);
    }
}
