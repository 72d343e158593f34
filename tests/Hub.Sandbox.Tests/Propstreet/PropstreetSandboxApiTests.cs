using System.Net;
using Hub.Sandbox.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Hub.Sandbox.Tests.Propstreet;

public sealed class PropstreetSandboxApiTests
{
    [Fact]
    public async Task Reseed_replaces_records_idempotency_keys_and_webhook_subscriptions()
    {
        await using var sandbox = PropstreetSandbox.With(new Dictionary<string, string?> { ["Sandbox:Sizes:Contacts"] = "40" });
        var client = sandbox.ClientFor("reseed-token");
        var before = await Json.WalkAsync(client, "/api/v1/network/contacts?include_deleted=true");
        var post = new HttpRequestMessage(HttpMethod.Post, "/api/v1/network/contacts") { Content = Json.Raw("""{"firstName":"Temp"}""") };
        post.Headers.Add("Idempotency-Key", "k1");
        var created = await (await client.SendAsync(post)).ReadObjectAsync();
        await client.PostAsync("/api/v1/webhooks", Json.Raw("""{"url":"http://127.0.0.1:9/x","events":["contact.created"]}"""));

        var api = sandbox.Services.GetServices<ISandboxApi>().Single(a => a.Name == "propstreet");
        api.Reseed(7, new SandboxSizes { Contacts = 40, Companies = 150, Projects = 30, ProspectsPerProject = 8 });

        var after = await Json.WalkAsync(client, "/api/v1/network/contacts?include_deleted=true");
        Assert.Equal(before.Select(c => c.ToJsonString()), after.Select(c => c.ToJsonString()));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/network/contacts/{created.Str("id")}")).StatusCode);
        Assert.Empty((await (await client.GetAsync("/api/v1/webhooks")).ReadObjectAsync())["data"]!.AsArray());

        var replay = new HttpRequestMessage(HttpMethod.Post, "/api/v1/network/contacts") { Content = Json.Raw("""{"firstName":"Other"}""") };
        replay.Headers.Add("Idempotency-Key", "k1");
        Assert.Equal(HttpStatusCode.Created, (await client.SendAsync(replay)).StatusCode);
    }
}
