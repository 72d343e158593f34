using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hub.Sandbox.Tests.Hosting;
using Hub.Sandbox.Tests.PropertyFinder;

namespace Hub.Sandbox.Tests.Admin;

public sealed class SandboxAdminTests
{
    [Theory]
    [InlineData("GET", "/_sandbox/faults")]
    [InlineData("PUT", "/_sandbox/faults")]
    [InlineData("POST", "/_sandbox/reset")]
    [InlineData("POST", "/_sandbox/propertyfinder/leads")]
    [InlineData("GET", "/_sandbox/propertyfinder/webhooks")]
    public async Task Admin_surface_is_absent_unless_enabled(string method, string path)
    {
        await using var sandbox = new SandboxFactory(new Dictionary<string, string?> { ["Sandbox:AdminEnabled"] = "false" });
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative))
        {
            Content = method == "GET" ? null : JsonContent.Create(new { }),
        };

        using var response = await sandbox.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Admin_prefix_is_configurable()
    {
        await using var sandbox = new SandboxFactory(new Dictionary<string, string?> { ["Sandbox:AdminPrefix"] = "/_control" });
        var client = sandbox.CreateClient();

        using var moved = await client.GetAsync(new Uri("/_control/faults", UriKind.Relative));
        using var old = await client.GetAsync(new Uri("/_sandbox/faults", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, old.StatusCode);
    }

    [Fact]
    public async Task Reset_reseeds_to_the_same_data_for_the_same_seed()
    {
        await using var sandbox = new SandboxFactory();
        var client = await sandbox.CreatePropertyFinderClientAsync();
        var original = await AllLeadsAsync(client);

        // Drive changes, then reset: everything is back as seeded.
        using (await client.PostAsJsonAsync(new Uri("/_sandbox/propertyfinder/leads", UriKind.Relative), new { }))
        using (await client.DeleteAsync(new Uri($"/_sandbox/propertyfinder/leads/{original[0]["id"]}", UriKind.Relative)))
        {
        }

        Assert.NotEqual(ToJson(original), ToJson(await AllLeadsAsync(client)));
        using var reset = await client.PostAsync(new Uri("/_sandbox/reset", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        Assert.Equal(ToJson(original), ToJson(await AllLeadsAsync(client)));

        using var other = await client.PostAsync(new Uri("/_sandbox/reset?seed=7", UriKind.Relative), null);
        var reseeded = JsonNode.Parse(await other.Content.ReadAsStringAsync())!;
        Assert.Equal(7, reseeded["seed"]!.GetValue<int>());
        Assert.Contains("propertyfinder", reseeded["reseeded"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.NotEqual(ToJson(original), ToJson(await AllLeadsAsync(client)));

        using var back = await client.PostAsJsonAsync(new Uri("/_sandbox/reset", UriKind.Relative), new { seed = 42 });
        Assert.Equal(ToJson(original), ToJson(await AllLeadsAsync(client)));
    }

    [Fact]
    public async Task Admin_index_lists_the_registered_apis()
    {
        await using var sandbox = new SandboxFactory();

        var index = JsonNode.Parse(await sandbox.CreateClient().GetStringAsync(new Uri("/_sandbox/", UriKind.Relative)))!;

        Assert.Contains("propertyfinder", index["apis"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(42, index["seed"]!.GetValue<int>());
    }

    private static async Task<List<JsonNode>> AllLeadsAsync(HttpClient client)
    {
        var leads = new List<JsonNode>();
        for (var page = 1; ; page++)
        {
            var body = await LeadListingTests.GetAsync(client, $"perPage=50&page={page}");
            leads.AddRange(body["data"]!.AsArray().Select(n => n!.DeepClone()));
            if (page >= body["pagination"]!["totalPages"]!.GetValue<int>())
            {
                return leads;
            }
        }
    }

    private static string ToJson(List<JsonNode> leads) => new JsonArray([.. leads.Select(l => l.DeepClone())]).ToJsonString();
}
