using System.Net;
using System.Text.Json.Nodes;
using Hub.Sandbox.Tests.Hosting;

namespace Hub.Sandbox.Tests.Propstreet.Prospects;

public sealed class ProspectTests(PropstreetSandbox sandbox) : IClassFixture<PropstreetSandbox>
{
    private async Task<(HttpClient Client, string ProjectId, List<string> FreeContacts)> NewProjectAsync()
    {
        var client = sandbox.ClientFor();
        var project = await (await client.PostAsync("/api/v1/projects", Json.Raw($$"""{"name":"Prospects {{Guid.NewGuid():N}}"}"""))).ReadObjectAsync();
        var contacts = (await (await client.GetAsync("/api/v1/network/contacts?page_size=20")).ReadObjectAsync())["data"]!.AsArray()
            .Select(c => c!.Str("id")).ToList();
        return (client, project.Str("id"), contacts);
    }

    [Fact]
    public async Task Batch_add_reports_created_and_failed_items_with_the_documented_error_codes()
    {
        var (client, projectId, contacts) = await NewProjectAsync();
        var company = (await (await client.GetAsync("/api/v1/network/companies?page_size=1")).ReadObjectAsync())["data"]![0]!.Str("id");
        var existing = await client.PostAsync($"/api/v1/projects/{projectId}/prospects", Json.Raw($$"""{"contactId":"{{contacts[5]}}"}"""));
        Assert.Equal(HttpStatusCode.Created, existing.StatusCode);

        var response = await client.PostAsync($"/api/v1/projects/{projectId}/prospects:batch", Json.Raw($$"""
            {"items":[
              {"contactId":"{{contacts[0]}}"},
              {"contactId":"{{contacts[1]}}","externalRefs":[{"namespace":"hubspot","id":"deal-789"}]},
              {"companyId":"{{company}}"},
              {"contactId":"{{contacts[0]}}"},
              {},
              {"contactId":"{{contacts[2]}}","companyId":"{{company}}"},
              {"contactId":"abc"},
              {"contactId":"999999999"},
              {"contactId":"{{contacts[5]}}"},
              {"contactId":"{{contacts[3]}}","externalRefs":[{"namespace":"HubSpot","id":"deal-789"}]}
            ]}
            """));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadObjectAsync();

        var created = body["created"]!.AsArray().Select(c => c!.AsObject()).ToList();
        Assert.Equal(3, created.Count);
        Assert.Equal(contacts[0], created[0].Str("contactId"));
        Assert.Equal("deal-789", created[1]["externalRefs"]![0]!.Str("id"));
        Assert.Equal(company, created[2].Str("companyId"));

        var failed = body["failed"]!.AsArray().ToDictionary(f => f!["index"]!.GetValue<int>(), f => f!.Str("error"));
        Assert.Equal(new Dictionary<int, string>
        {
            [3] = "duplicate",
            [4] = "validation_error",
            [5] = "validation_error",
            [6] = "invalid_id",
            [7] = "not_added",
            [8] = "not_added",
            [9] = "duplicate",
        }, failed);
        Assert.All(body["failed"]!.AsArray(), f => Assert.False(string.IsNullOrEmpty(f!.Str("message"))));
    }

    [Fact]
    public async Task A_batch_of_more_than_100_items_is_refused_with_400()
    {
        var (client, projectId, _) = await NewProjectAsync();
        var items = new JsonArray(Enumerable.Range(1, 101).Select(i => (JsonNode)new JsonObject { ["contactId"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) }).ToArray());
        var response = await client.PostAsync($"/api/v1/projects/{projectId}/prospects:batch", Json.Raw(new JsonObject { ["items"] = items }.ToJsonString()));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Adding_a_prospect_needs_exactly_one_of_contactId_and_companyId_and_refuses_a_duplicate_with_409()
    {
        var (client, projectId, contacts) = await NewProjectAsync();
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync($"/api/v1/projects/{projectId}/prospects", Json.Raw("{}"))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync($"/api/v1/projects/{projectId}/prospects", Json.Raw($$"""{"contactId":"{{contacts[0]}}"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync($"/api/v1/projects/{projectId}/prospects", Json.Raw($$"""{"contactId":"{{contacts[0]}}"}"""))).StatusCode);
    }

    [Fact]
    public async Task Prospect_external_refs_are_unique_within_a_project_but_reusable_across_projects()
    {
        var (client, projectId, contacts) = await NewProjectAsync();
        var (_, otherProjectId, _) = await NewProjectAsync();
        var refJson = """[{"namespace":"salesforce","id":"006XYZ"}]""";
        var first = await client.PostAsync($"/api/v1/projects/{projectId}/prospects", Json.Raw($$"""{"contactId":"{{contacts[0]}}","externalRefs":{{refJson}}}"""));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var clash = await client.PostAsync($"/api/v1/projects/{projectId}/prospects", Json.Raw($$"""{"contactId":"{{contacts[1]}}","externalRefs":{{refJson}}}"""));
        Assert.Equal(HttpStatusCode.Conflict, clash.StatusCode);
        var elsewhere = await client.PostAsync($"/api/v1/projects/{otherProjectId}/prospects", Json.Raw($$"""{"contactId":"{{contacts[1]}}","externalRefs":{{refJson}}}"""));
        Assert.Equal(HttpStatusCode.Created, elsewhere.StatusCode);

        var found = await client.GetAsync($"/api/v1/projects/{projectId}/prospects/external/salesforce/006XYZ");
        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        Assert.Equal(contacts[0], (await found.ReadObjectAsync()).Str("contactId"));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/projects/{projectId}/prospects/external/salesforce/missing")).StatusCode);
    }

    [Fact]
    public async Task Prospects_filter_by_classification_capability_and_tags_with_or_semantics()
    {
        var client = sandbox.ClientFor();
        var projects = await Json.WalkAsync(client, "/api/v1/projects");
        var all = new List<JsonObject>();
        foreach (var p in projects)
            all.AddRange(await Json.WalkAsync(client, $"/api/v1/projects/{p.Str("id")}/prospects"));
        Assert.Contains(all, p => p["teaser"] is not null);
        Assert.Contains(all, p => p["teaser"] is null && p["capabilities"]!.AsArray().Count == 0);

        var withTags = all.First(p => p["tags"]!.AsArray().Count > 0);
        var projectId = withTags.Str("projectId");
        var tag = withTags["tags"]![0]!.GetValue<string>();
        var tagged = await Json.WalkAsync(client, $"/api/v1/projects/{projectId}/prospects?tags={tag}&tags=no-such-tag");
        Assert.Contains(tagged, p => p.Str("id") == withTags.Str("id"));
        Assert.All(tagged, p => Assert.Contains(tag, p["tags"]!.AsArray().Select(t => t!.GetValue<string>())));

        var interested = await Json.WalkAsync(client, $"/api/v1/projects/{projectId}/prospects?classification=interested");
        Assert.All(interested, p => Assert.Equal("interested", p.Str("classification")));
        var chat = await Json.WalkAsync(client, $"/api/v1/projects/{projectId}/prospects?capability=chat");
        Assert.All(chat, p => Assert.Contains("chat", p["capabilities"]!.AsArray().Select(c => c!.GetValue<string>())));
    }

    [Fact]
    public async Task A_prospects_tags_follow_its_contacts_tags_with_a_new_updatedUtc_the_tags_filter_and_a_prospect_updated_webhook()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (client, projectId, contacts) = await NewProjectAsync();
        await client.PostAsync("/api/v1/webhooks", Json.Raw($$"""{"url":"{{receiver.Url}}","events":["prospect.updated"]}"""));
        var added = await (await client.PostAsync($"/api/v1/projects/{projectId}/prospects", Json.Raw($$"""{"contactId":"{{contacts[9]}}"}"""))).ReadObjectAsync();
        var tag = "followed-" + Guid.NewGuid().ToString("N")[..6];

        var contact = await (await client.PatchAsync($"/api/v1/network/contacts/{contacts[9]}", Json.Raw($$"""{"tags":["{{tag}}","vip"]}"""))).ReadObjectAsync();

        var prospect = await (await client.GetAsync($"/api/v1/projects/{projectId}/prospects/{added.Str("id")}")).ReadObjectAsync();
        Assert.Equal([tag, "vip"], prospect["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.True(DateTimeOffset.Parse(prospect.Str("updatedUtc"), System.Globalization.CultureInfo.InvariantCulture)
            > DateTimeOffset.Parse(added.Str("updatedUtc"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.NotEqual(added.Str("etag"), prospect.Str("etag"));
        Assert.Single(await Json.WalkAsync(client, $"/api/v1/projects/{projectId}/prospects?tags={tag}"));

        var webhook = JsonNode.Parse((await receiver.NextAsync()).Body)!;
        Assert.Equal("prospect.updated", webhook.Str("event"));
        Assert.Equal(added.Str("id"), webhook["data"]!.Str("id"));
        Assert.Equal(["tags"], webhook["data"]!["changedFields"]!.AsArray().Select(f => f!.GetValue<string>()));
        Assert.Equal(contact.Str("changeOrigin"), webhook["data"]!.Str("changeOrigin"));
    }

    [Fact]
    public async Task A_company_prospects_tags_follow_the_companys_tags()
    {
        var (client, projectId, _) = await NewProjectAsync();
        var company = (await (await client.GetAsync("/api/v1/network/companies?page_size=3")).ReadObjectAsync())["data"]![2]!.Str("id");
        var added = await (await client.PostAsync($"/api/v1/projects/{projectId}/prospects", Json.Raw($$"""{"companyId":"{{company}}"}"""))).ReadObjectAsync();

        await sandbox.Control().PatchAsync($"/_sandbox/propstreet/companies/{company}", Json.Raw("""{"tags":["company-tag"]}"""));

        var prospect = await (await client.GetAsync($"/api/v1/projects/{projectId}/prospects/{added.Str("id")}")).ReadObjectAsync();
        Assert.Equal(["company-tag"], prospect["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal("ui", prospect.Str("changeOrigin"));
    }

    [Fact]
    public async Task A_contacts_projects_list_shows_the_projects_it_is_a_prospect_on()
    {
        var (client, projectId, contacts) = await NewProjectAsync();
        var prospect = await (await client.PostAsync($"/api/v1/projects/{projectId}/prospects", Json.Raw($$"""{"contactId":"{{contacts[7]}}"}"""))).ReadObjectAsync();
        var projects = await Json.WalkAsync(client, $"/api/v1/network/contacts/{contacts[7]}/projects");
        var row = Assert.Single(projects, p => p.Str("id") == projectId);
        Assert.Equal(prospect.Str("id"), row.Str("prospectId"));
        Assert.Equal("not_contacted", row.Str("prospectClassification"));
        Assert.Equal(1, row["prospectCount"]!.GetValue<int>());
    }
}
