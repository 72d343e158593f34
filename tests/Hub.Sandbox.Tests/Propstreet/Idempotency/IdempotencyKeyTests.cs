using System.Net;

namespace Hub.Sandbox.Tests.Propstreet.Idempotency;

public sealed class IdempotencyKeyTests(PropstreetSandbox sandbox) : IClassFixture<PropstreetSandbox>
{
    private static HttpRequestMessage Post(string url, string key, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = Json.Raw(body) };
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    [Fact]
    public async Task Replaying_an_Idempotency_Key_with_the_same_body_returns_the_same_response_and_creates_one_record()
    {
        var client = sandbox.ClientFor();
        var key = Guid.NewGuid().ToString();
        var name = "Idem " + key;
        var body = $$"""{"name":"{{name}}","externalRefs":[{"namespace":"hubspot","id":"deal-{{key}}"}]}""";

        var first = await client.SendAsync(Post("/api/v1/projects", key, body));
        var replay = await client.SendAsync(Post("/api/v1/projects", key, body));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await replay.Content.ReadAsStringAsync());
        Assert.Equal(first.Headers.Location, replay.Headers.Location);

        var all = await Json.WalkAsync(client, "/api/v1/projects?page_size=500");
        Assert.Single(all, p => p.Str("name") == name);

        var other = await client.SendAsync(Post("/api/v1/projects", key, """{"name":"Something else"}"""));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
        Assert.Equal("application/problem+json", other.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Subscribing_twice_with_one_Idempotency_Key_creates_one_subscription_so_no_event_is_delivered_twice()
    {
        var client = sandbox.ClientFor();
        var key = Guid.NewGuid().ToString();
        var body = """{"url":"http://127.0.0.1:9/hook","events":["contact.created"]}""";

        var first = await client.SendAsync(Post("/api/v1/webhooks", key, body));
        var replay = await client.SendAsync(Post("/api/v1/webhooks", key, body));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal((await first.ReadObjectAsync()).Str("id"), (await replay.ReadObjectAsync()).Str("id"));
        Assert.Single((await (await client.GetAsync("/api/v1/webhooks")).ReadObjectAsync())["data"]!.AsArray());
    }

    [Fact]
    public async Task Concurrent_requests_with_one_Idempotency_Key_create_one_contact()
    {
        var client = sandbox.ClientFor();
        var key = Guid.NewGuid().ToString();
        var body = $$"""{"firstName":"Concurrent","lastName":"{{key}}"}""";
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.SendAsync(Post("/api/v1/network/contacts", key, body))));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Single(responses.Select(r => r.Headers.Location!.OriginalString).Distinct());
    }

    [Fact]
    public async Task The_same_key_from_another_token_is_a_different_request()
    {
        var key = Guid.NewGuid().ToString();
        var a = await sandbox.ClientFor().SendAsync(Post("/api/v1/network/contacts", key, """{"firstName":"A"}"""));
        var b = await sandbox.ClientFor().SendAsync(Post("/api/v1/network/contacts", key, """{"firstName":"B"}"""));
        Assert.Equal(HttpStatusCode.Created, a.StatusCode);
        Assert.Equal(HttpStatusCode.Created, b.StatusCode);
        Assert.NotEqual(a.Headers.Location, b.Headers.Location);
    }
}
