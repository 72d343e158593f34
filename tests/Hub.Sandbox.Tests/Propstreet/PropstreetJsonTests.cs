using System.Net;

namespace Hub.Sandbox.Tests.Propstreet;

/// <summary>How every Propstreet write reads its JSON body.</summary>
public sealed class PropstreetJsonTests(PropstreetSandbox sandbox) : IClassFixture<PropstreetSandbox>
{
    public static TheoryData<string, string, string> RepeatedNames => new()
    {
        { "POST", "/api/v1/network/contacts", """{"firstName":"a","firstName":"b"}""" },
        { "POST", "/api/v1/network/contacts", """{"firstName":"a","emails":[{"address":"a@x.se","address":"b@x.se"}]}""" },
        { "PATCH", "/api/v1/network/contacts/{contact}", """{"lastName":"a","lastName":"b"}""" },
        { "PATCH", "/api/v1/network/contacts/external/hubspot/dup-{guid}", """{"firstName":"a","firstName":"b"}""" },
        { "POST", "/api/v1/projects", """{"name":"a","name":"b"}""" },
        { "PATCH", "/api/v1/projects/{project}", """{"name":"a","price":{"value":1,"value":2,"currency":"SEK","scale":"none"}}""" },
        { "POST", "/api/v1/projects/{project}/prospects", """{"contactId":"{contact}","contactId":"{contact}"}""" },
        { "POST", "/api/v1/projects/{project}/prospects:batch", """{"items":[{"contactId":"{contact}","contactId":"{contact}"}]}""" },
        { "PATCH", "/api/v1/projects/{project}/prospects/{prospect}", """{"classification":"bidder","classification":"contacted"}""" },
        { "POST", "/api/v1/webhooks", """{"url":"http://127.0.0.1:9/a","url":"http://127.0.0.1:9/b","events":["contact.created"]}""" },
    };

    [Theory]
    [MemberData(nameof(RepeatedNames))]
    public async Task A_body_with_a_repeated_property_name_is_refused_with_400_problem_json_and_changes_nothing(string method, string path, string body)
    {
        var client = sandbox.ClientFor();
        var ids = await IdsAsync(client);
        var request = new HttpRequestMessage(new HttpMethod(method), Fill(path, ids)) { Content = Json.Raw(Fill(body, ids)) };

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.ReadObjectAsync();
        Assert.Equal("urn:propstreet:error:validation-error", problem.Str("type"));
        Assert.Contains("duplicate", problem.Str("detail"), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(ids.ProspectEtag, (await (await client.GetAsync($"/api/v1/projects/{ids.Project}/prospects/{ids.Prospect}")).ReadObjectAsync()).Str("etag"));
        Assert.Empty((await (await client.GetAsync("/api/v1/webhooks")).ReadObjectAsync())["data"]!.AsArray());
    }

    private sealed record Ids(string Contact, string Project, string Prospect, string ProspectEtag);

    private static async Task<Ids> IdsAsync(HttpClient client)
    {
        var contacts = (await (await client.GetAsync("/api/v1/network/contacts?page_size=2")).ReadObjectAsync())["data"]!.AsArray();
        var project = await (await client.PostAsync("/api/v1/projects", Json.Raw($$"""{"name":"Dup {{Guid.NewGuid():N}}"}"""))).ReadObjectAsync();
        var prospect = await (await client.PostAsync($"/api/v1/projects/{project.Str("id")}/prospects", Json.Raw($$"""{"contactId":"{{contacts[0]!.Str("id")}}"}"""))).ReadObjectAsync();
        return new Ids(contacts[1]!.Str("id"), project.Str("id"), prospect.Str("id"), prospect.Str("etag"));
    }

    private static string Fill(string text, Ids ids) => text
        .Replace("{contact}", ids.Contact, StringComparison.Ordinal)
        .Replace("{project}", ids.Project, StringComparison.Ordinal)
        .Replace("{prospect}", ids.Prospect, StringComparison.Ordinal)
        .Replace("{guid}", Guid.NewGuid().ToString("N"), StringComparison.Ordinal);
}
