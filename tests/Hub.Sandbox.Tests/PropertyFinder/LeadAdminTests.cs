using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hub.Sandbox.Tests.Hosting;

namespace Hub.Sandbox.Tests.PropertyFinder;

/// <summary>Driving Property Finder changes through <c>/_sandbox/propertyfinder/leads</c>.</summary>
public sealed class LeadAdminTests
{
    [Fact]
    public async Task Created_lead_is_listed_with_the_given_fields_and_generated_rest()
    {
        await using var sandbox = new SandboxFactory();
        var client = await sandbox.CreatePropertyFinderClientAsync();

        using var response = await client.PostAsJsonAsync(new Uri("/_sandbox/propertyfinder/leads", UriKind.Relative), new
        {
            channel = "email",
            name = "John Doe",
            email = "johndoe@example.com",
            listing = new { id = 554433, reference = "APT-DOWNTOWN-101", title = "Luxury 2BR in Downtown" },
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        var page = await LeadListingTests.GetAsync(client, "channel=email&perPage=50&since=2025-06-01T00:00:00Z");
        var listed = Assert.Single(page["data"]!.AsArray())!;
        Assert.Equal(created["id"]!.GetValue<string>(), listed["id"]!.GetValue<string>());
        Assert.Equal("APT-DOWNTOWN-101", listed["listing"]!["reference"]!.GetValue<string>());
        Assert.Equal("johndoe@example.com", listed["email"]!.GetValue<string>());
        Assert.NotNull(listed["assignedTo"]);
    }

    [Fact]
    public async Task Lead_can_be_updated_and_deleted()
    {
        await using var sandbox = new SandboxFactory();
        var client = await sandbox.CreatePropertyFinderClientAsync();
        var first = (await LeadListingTests.GetAsync(client, "perPage=1"))["data"]![0]!;
        var id = first["id"]!.GetValue<string>();
        var path = new Uri($"/_sandbox/propertyfinder/leads/{id}", UriKind.Relative);

        using var patch = await client.PatchAsJsonAsync(path, new { assignedTo = new { id = 4242, name = "Agent Sarah" } });
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        var updated = (await LeadListingTests.GetAsync(client, "perPage=1"))["data"]![0]!;
        Assert.Equal(4242, updated["assignedTo"]!["id"]!.GetValue<long>());
        Assert.Equal(first["createdAt"]!.GetValue<string>(), updated["createdAt"]!.GetValue<string>());

        using var delete = await client.DeleteAsync(path);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        var after = (await LeadListingTests.GetAsync(client, "perPage=1"))["data"]![0]!;
        Assert.NotEqual(id, after["id"]!.GetValue<string>());
        using var again = await client.DeleteAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task Seeded_and_new_leads_share_the_documented_createdAt_format_to_the_second()
    {
        var clock = new ManualClock(new DateTimeOffset(2025, 12, 19, 10, 30, 36, 580, TimeSpan.Zero));
        await using var sandbox = new SandboxFactory(clock: clock);
        var client = await sandbox.CreatePropertyFinderClientAsync();
        using var created = await client.PostAsJsonAsync(new Uri("/_sandbox/propertyfinder/leads", UriKind.Relative), new { channel = "call" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var seeded = (await LeadListingTests.GetAsync(client, "perPage=50"))["data"]!.AsArray();
        var fresh = (await LeadListingTests.GetAsync(client, "perPage=50&since=2025-12-01T00:00:00Z"))["data"]!.AsArray();

        var stamps = seeded.Concat(fresh).Select(l => l!["createdAt"]!.GetValue<string>()).ToList();
        Assert.All(stamps, s => Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", s));
        Assert.Equal("2025-12-19T10:30:36Z", Assert.Single(fresh)!["createdAt"]!.GetValue<string>());
    }
}
