using System.Net;

namespace Hub.Sandbox.Tests.HubSpot.Owners;

public sealed class OwnerTests
{
    [Fact]
    public async Task Owners_are_seeded_the_same_for_the_same_seed_and_read_by_id_and_email()
    {
        await using var one = new HubSpotSandbox();
        await using var two = new HubSpotSandbox();

        var owners = await HubSpotSandbox.ReadAsync(await one.Api().GetAsync("/crm/v3/owners"));
        var again = await HubSpotSandbox.ReadAsync(await two.Api().GetAsync("/crm/v3/owners"));
        var first = owners["results"]![0]!;
        var byId = await HubSpotSandbox.ReadAsync(await one.Api().GetAsync($"/crm/v3/owners/{first["id"]}"));
        var byEmail = await HubSpotSandbox.ReadAsync(await one.Api().GetAsync($"/crm/v3/owners?email={Uri.EscapeDataString(first["email"]!.GetValue<string>())}"));
        using var missing = await one.Api().GetAsync("/crm/v3/owners/1");

        Assert.Equal(12, owners["results"]!.AsArray().Count);
        Assert.Equal(owners.ToJsonString(), again.ToJsonString());
        Assert.Equal("PERSON", first["type"]!.GetValue<string>());
        Assert.Equal(first["email"]!.GetValue<string>(), byId["email"]!.GetValue<string>());
        Assert.Single(byEmail["results"]!.AsArray());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Owners_page_with_after()
    {
        await using var sandbox = new HubSpotSandbox();
        var client = sandbox.Api();

        var first = await HubSpotSandbox.ReadAsync(await client.GetAsync("/crm/v3/owners?limit=5"));
        var after = first["paging"]!["next"]!["after"]!.GetValue<string>();
        var second = await HubSpotSandbox.ReadAsync(await client.GetAsync($"/crm/v3/owners?limit=5&after={Uri.EscapeDataString(after)}"));

        Assert.Equal(5, first["results"]!.AsArray().Count);
        Assert.Empty(first["results"]!.AsArray().Select(o => o!["id"]!.GetValue<string>())
            .Intersect(second["results"]!.AsArray().Select(o => o!["id"]!.GetValue<string>())));
    }
}
