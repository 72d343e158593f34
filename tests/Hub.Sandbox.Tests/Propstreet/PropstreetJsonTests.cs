using System.Net;
using Hub.Sandbox.Tests.Hosting;

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

    public static TheoryData<string, string> WrongTypes => new()
    {
        { "/api/v1/projects/{project}", """{"externalRefs":"oops"}""" },
        { "/api/v1/projects/{project}", """{"externalRefs":null}""" },
        { "/api/v1/projects/{project}", """{"externalRefs":[{"namespace":"hubspot","id":5}]}""" },
        { "/api/v1/projects/{project}", """{"price":"150 MSEK"}""" },
        { "/api/v1/projects/{project}", """{"price":{"value":"150","currency":"SEK","scale":"millions"}}""" },
        { "/api/v1/projects/{project}", """{"priceRange":5}""" },
        { "/api/v1/projects/{project}", """{"asset":"portfolio"}""" },
        { "/api/v1/projects/{project}", """{"classification":null}""" },
        { "/api/v1/projects/{project}", """{"name":42}""" },
        { "/api/v1/network/contacts/{contact}", """{"externalRefs":"oops"}""" },
        { "/api/v1/network/contacts/{contact}", """{"externalRefs":null}""" },
        { "/api/v1/network/contacts/{contact}", """{"tags":"vip"}""" },
        { "/api/v1/network/contacts/{contact}", """{"emails":null}""" },
        { "/api/v1/network/contacts/{contact}", """{"firstName":7}""" },
        { "/api/v1/projects/{project}/prospects/{prospect}", """{"externalRefs":"oops"}""" },
        { "/api/v1/projects/{project}/prospects/{prospect}", """{"externalRefs":null}""" },
        { "/api/v1/projects/{project}/prospects/{prospect}", """{"classification":5}""" },
        { "/api/v1/projects/{project}/prospects/{prospect}", """{"classification":null}""" },
    };

    [Theory]
    [MemberData(nameof(WrongTypes))]
    public async Task A_wrongly_typed_field_is_refused_with_400_and_leaves_the_record_as_it_was(string path, string body)
    {
        var client = sandbox.ClientFor();
        var ids = await IdsAsync(client);
        var url = Fill(path, ids);
        var before = (await (await client.GetAsync(url)).ReadObjectAsync()).ToJsonString();

        var response = await client.PatchAsync(url, Json.Raw(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(string.IsNullOrWhiteSpace((await response.ReadObjectAsync()).Str("detail")));
        Assert.Equal(before, (await (await client.GetAsync(url)).ReadObjectAsync()).ToJsonString());
    }

    [Fact]
    public async Task Only_an_explicit_empty_array_removes_a_projects_external_refs()
    {
        var client = sandbox.ClientFor();
        var created = await (await client.PostAsync("/api/v1/projects", Json.Raw($$"""{"name":"Refs","externalRefs":[{"namespace":"hubspot","id":"deal-{{Guid.NewGuid():N}}"}]}"""))).ReadObjectAsync();
        var url = $"/api/v1/projects/{created.Str("id")}";

        Assert.Single((await (await client.PatchAsync(url, Json.Raw("""{"name":"Renamed"}"""))).ReadObjectAsync())["externalRefs"]!.AsArray());
        var cleared = await client.PatchAsync(url, Json.Raw("""{"externalRefs":[]}"""));
        Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        Assert.Empty((await cleared.ReadObjectAsync())["externalRefs"]!.AsArray());
    }

    [Fact]
    public async Task Timestamps_are_UTC_with_only_the_fractional_digits_they_need_so_clients_must_parse_not_compare_strings()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        await using var whole = PropstreetSandbox.With(new Dictionary<string, string?> { ["Sandbox:Sizes:Contacts"] = "10" }, clock);
        var client = whole.ClientFor();
        var seeded = (await (await client.GetAsync("/api/v1/network/contacts?page_size=1")).ReadObjectAsync())["data"]![0]!.Str("updatedUtc");
        var created = (await (await client.PostAsync("/api/v1/network/contacts", Json.Raw("""{"firstName":"Whole"}"""))).ReadObjectAsync()).Str("updatedUtc");
        clock.Advance(TimeSpan.FromMilliseconds(250));
        var later = (await (await client.PostAsync("/api/v1/network/contacts", Json.Raw("""{"firstName":"Quarter"}"""))).ReadObjectAsync()).Str("updatedUtc");

        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$", seeded);
        Assert.Equal("2026-03-01T12:00:00Z", created);
        Assert.Equal("2026-03-01T12:00:00.25Z", later);
        // As strings "…00Z" sorts after "…00.25Z"; as instants it is earlier.
        Assert.True(string.CompareOrdinal(created, later) > 0);
        Assert.True(DateTimeOffset.Parse(created, System.Globalization.CultureInfo.InvariantCulture) < DateTimeOffset.Parse(later, System.Globalization.CultureInfo.InvariantCulture));
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
