using System.Net;
using System.Text.Json.Nodes;
using Hub.Sandbox.Tests.Hosting;

namespace Hub.Sandbox.Tests.Propstreet.Projects;

public sealed class ProjectTests(PropstreetSandbox sandbox) : IClassFixture<PropstreetSandbox>
{
    [Fact]
    public async Task A_project_external_ref_already_on_another_project_is_refused_with_409_whatever_the_namespace_case()
    {
        var client = sandbox.ClientFor();
        var dealId = "deal-" + Guid.NewGuid().ToString("N")[..8];
        var first = await client.PostAsync("/api/v1/projects", Json.Raw($$"""{"name":"First","externalRefs":[{"namespace":"HubSpot","id":"{{dealId}}"}]}"""));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);

        var second = await client.PostAsync("/api/v1/projects", Json.Raw($$"""{"name":"Second","externalRefs":[{"namespace":"hubspot","id":"{{dealId}}"}]}"""));
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);

        var other = await (await client.PostAsync("/api/v1/projects", Json.Raw("""{"name":"Third"}"""))).ReadObjectAsync();
        var patch = await client.PatchAsync($"/api/v1/projects/{other.Str("id")}", Json.Raw($$"""{"externalRefs":[{"namespace":"HUBSPOT","id":"{{dealId}}"}]}"""));
        Assert.Equal(HttpStatusCode.Conflict, patch.StatusCode);
    }

    [Fact]
    public async Task Duplicate_namespaces_on_one_project_are_refused_with_400()
    {
        var response = await sandbox.ClientFor().PostAsync("/api/v1/projects",
            Json.Raw("""{"name":"Dup","externalRefs":[{"namespace":"hubspot","id":"1"},{"namespace":"HubSpot","id":"2"}]}"""));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Lookup_by_external_ref_finds_the_project_and_answers_404_when_absent()
    {
        var client = sandbox.ClientFor();
        var dealId = "deal-" + Guid.NewGuid().ToString("N")[..8];
        var created = await (await client.PostAsync("/api/v1/projects", Json.Raw($$"""{"name":"Lookup","externalRefs":[{"namespace":"salesforce","id":"{{dealId}}"}]}"""))).ReadObjectAsync();

        var found = await client.GetAsync($"/api/v1/projects/external/SalesForce/{dealId}");
        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        Assert.Equal(created.Str("id"), (await found.ReadObjectAsync()).Str("id"));
        Assert.NotNull(found.Headers.ETag);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/projects/external/salesforce/nope")).StatusCode);
    }

    [Fact]
    public async Task Projects_omit_null_fields_and_default_to_a_single_asset()
    {
        var client = sandbox.ClientFor();
        var response = await client.PostAsync("/api/v1/projects", Json.Raw("""{"name":"Bare"}"""));
        var raw = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("null", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("\"teaser\"", raw, StringComparison.Ordinal);
        var project = await (await client.GetAsync(response.Headers.Location!.OriginalString)).ReadObjectAsync();
        Assert.Equal("single", project["asset"]!.Str("type"));
        Assert.Equal("open", project.Str("status"));
    }

    [Fact]
    public async Task A_deleted_project_is_listed_only_with_include_deleted_and_has_status_deleted()
    {
        var client = sandbox.ClientFor();
        var project = await (await client.PostAsync("/api/v1/projects", Json.Raw("""{"name":"Doomed"}"""))).ReadObjectAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/projects/{project.Str("id")}")).StatusCode);

        var since = Uri.EscapeDataString(project.Str("updatedUtc"));
        Assert.DoesNotContain(await Json.WalkAsync(client, $"/api/v1/projects?updated_since={since}"), p => p.Str("id") == project.Str("id"));
        var deleted = Assert.Single(await Json.WalkAsync(client, $"/api/v1/projects?updated_since={since}&include_deleted=true"), p => p.Str("id") == project.Str("id"));
        Assert.Equal("deleted", deleted.Str("status"));
        Assert.NotNull(deleted["deletedUtc"]);
    }

    [Fact]
    public async Task Deleting_a_project_deletes_its_prospects_with_prospect_deleted_events_and_keeps_them_listable_with_include_deleted()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var client = sandbox.ClientFor();
        await client.PostAsync("/api/v1/webhooks", Json.Raw($$"""{"url":"{{receiver.Url}}","events":["prospect.deleted"]}"""));
        var project = await (await client.PostAsync("/api/v1/projects", Json.Raw("""{"name":"Cascade"}"""))).ReadObjectAsync();
        var projectId = project.Str("id");
        var contacts = (await (await client.GetAsync("/api/v1/network/contacts?page_size=2")).ReadObjectAsync())["data"]!.AsArray();
        var prospectIds = new List<string>();
        foreach (var contact in contacts)
            prospectIds.Add((await (await client.PostAsync($"/api/v1/projects/{projectId}/prospects", Json.Raw($$"""{"contactId":"{{contact!.Str("id")}}"}"""))).ReadObjectAsync()).Str("id"));

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/projects/{projectId}")).StatusCode);

        var events = new[] { await receiver.NextAsync(), await receiver.NextAsync() }.Select(r => JsonNode.Parse(r.Body)!).ToList();
        Assert.All(events, e => Assert.Equal("prospect.deleted", e.Str("event")));
        Assert.Equal(prospectIds.Order(), events.Select(e => e["data"]!.Str("id")).Order());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/projects/{projectId}/prospects")).StatusCode);
        var listed = await Json.WalkAsync(client, $"/api/v1/projects/{projectId}/prospects?include_deleted=true");
        Assert.Equal(prospectIds.Order(), listed.Select(p => p.Str("id")).Order());
        Assert.All(listed, p => Assert.NotNull(p["deletedUtc"]));
        Assert.DoesNotContain(await Json.WalkAsync(client, $"/api/v1/network/contacts/{contacts[0]!.Str("id")}/projects"), p => p.Str("id") == projectId);
    }

    [Theory]
    [InlineData("status=closed", "status", "closed")]
    [InlineData("classification=active", "classification", "active")]
    public async Task List_filters_return_only_matching_projects(string query, string field, string value)
    {
        var projects = await Json.WalkAsync(sandbox.ClientFor(), $"/api/v1/projects?{query}");
        Assert.NotEmpty(projects);
        Assert.All(projects, p => Assert.Equal(value, p.Str(field)));
    }

    [Fact]
    public async Task Teaser_stage_filter_returns_only_projects_at_that_stage()
    {
        var projects = await Json.WalkAsync(sandbox.ClientFor(), "/api/v1/projects?teaser_stage=communicated");
        Assert.NotEmpty(projects);
        Assert.All(projects, p => Assert.Equal("communicated", p["teaser"]!.Str("stage")));
    }

    [Fact]
    public async Task Linked_properties_are_listed_per_project_one_per_property_the_asset_counts()
    {
        var client = sandbox.ClientFor();
        // The seeded projects (made "in the UI"); projects the API creates have no property profiles attached.
        foreach (var project in (await Json.WalkAsync(client, "/api/v1/projects?status=open")).Where(p => p.Str("changeOrigin") == "ui"))
        {
            var projectId = project.Str("id");
            var properties = await Json.WalkAsync(client, $"/api/v1/projects/{projectId}/properties");
            Assert.Equal(project["asset"]!["propertyCount"]?.GetValue<int>() ?? 1, properties.Count);
            Assert.All(properties, p => Assert.Equal(projectId, p.Str("projectId")));
        }

        var bare = await (await client.PostAsync("/api/v1/projects", Json.Raw("""{"name":"No properties"}"""))).ReadObjectAsync();
        Assert.Empty(await Json.WalkAsync(client, $"/api/v1/projects/{bare.Str("id")}/properties"));
    }
}
