using System.Net;
using System.Net.Http.Headers;

namespace Hub.Sandbox.Tests.Propstreet.Contacts;

public sealed class ContactConcurrencyTests(PropstreetSandbox sandbox) : IClassFixture<PropstreetSandbox>
{
    [Theory]
    [InlineData("/api/v1/network/contacts", "{\"firstName\":\"First\"}", "{\"firstName\":\"Second\"}")]
    [InlineData("/api/v1/projects", "{\"name\":\"First\"}", "{\"name\":\"Second\"}")]
    public async Task Patch_with_a_stale_If_Match_is_refused_with_412_precondition_failed(string collection, string firstPatch, string secondPatch)
    {
        var client = sandbox.ClientFor();
        var list = await (await client.GetAsync($"{collection}?page_size=1")).ReadObjectAsync();
        var id = list["data"]![0]!.Str("id");
        var get = await client.GetAsync($"{collection}/{id}");
        var etag = get.Headers.ETag!.ToString();
        Assert.Equal(etag, (await get.ReadObjectAsync()).Str("etag"));

        var first = new HttpRequestMessage(HttpMethod.Patch, $"{collection}/{id}") { Content = Json.Raw(firstPatch) };
        first.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(etag));
        var ok = await client.SendAsync(first);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.NotEqual(etag, ok.Headers.ETag!.ToString());

        var stale = new HttpRequestMessage(HttpMethod.Patch, $"{collection}/{id}") { Content = Json.Raw(secondPatch) };
        stale.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(etag));
        var refused = await client.SendAsync(stale);
        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal("urn:propstreet:error:precondition-failed", (await refused.ReadObjectAsync()).Str("type"));
    }

    [Fact]
    public async Task Concurrent_patches_all_land_and_each_gets_a_distinct_etag()
    {
        var client = sandbox.ClientFor();
        var id = (await (await client.GetAsync("/api/v1/network/contacts?page_size=1")).ReadObjectAsync())["data"]![0]!.Str("id");
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            client.PatchAsync($"/api/v1/network/contacts/{id}", Json.Body(new { strategy = $"s{i}" }))));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(20, responses.Select(r => r.Headers.ETag!.ToString()).Distinct().Count());
    }
}
