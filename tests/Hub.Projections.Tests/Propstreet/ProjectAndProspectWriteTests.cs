using Hub.Projections.Propstreet;

namespace Hub.Projections.Tests.Propstreet;

/// <summary>Projects and prospects: creates with an Idempotency-Key, PATCH with If-Match, limits.</summary>
public sealed class ProjectAndProspectWriteTests : PropstreetWriterTest
{
    [Fact]
    public async Task A_create_repeated_with_the_same_key_creates_one_project_and_answers_it_again()
    {
        var writer = StartWriter();
        var project = new ProjectChanges { Name = "Stockholm Office Portfolio", ExternalRefs = [new("hubspot", "deal-1")] };

        var first = Written(await writer.CreateProjectAsync(project, "decision-1"));
        var again = Written(await writer.CreateProjectAsync(project, "decision-1"));

        Assert.Equal((first.Id, first.ETag, "created"), (again.Id, again.ETag, again.Action));
        var keys = Sandbox.RequestsTo("POST", "/api/v1/projects").Select(r => r.IdempotencyKey).Distinct().ToList();
        Assert.Single(keys);
        Assert.DoesNotContain("decision-1", keys[0], StringComparison.Ordinal);
        var list = await Sandbox.ApiGetAsync("/api/v1/projects?page_size=500");
        Assert.Single(list.GetProperty("data").EnumerateArray(), p => Text(p, "name") == "Stockholm Office Portfolio");
        Assert.Equal(first.Id, Written(await writer.FindProjectByExternalRefAsync("hubspot", "deal-1")).Id);
    }

    [Fact]
    public async Task A_project_is_updated_with_its_etag_and_a_stale_etag_changes_nothing()
    {
        var writer = StartWriter();
        var created = Written(await writer.CreateProjectAsync(new ProjectChanges { Name = "Harbour" }, "p-1"));

        var renamed = Written(await writer.UpdateProjectAsync(created.Id, new ProjectChanges { Name = "Harbour Offices", Price = new ProjectPrice(150, "SEK", "millions") }, created.ETag));
        var stale = await writer.UpdateProjectAsync(created.Id, new ProjectChanges { Name = "Stale" }, created.ETag);

        Assert.IsType<PropstreetWriteResult.PreconditionFailed>(stale);
        var now = Written(await writer.GetProjectAsync(created.Id));
        Assert.Equal(("Harbour Offices", renamed.ETag), (Text(now.Record, "name"), now.ETag));
        Assert.Equal(150m, now.Record.GetProperty("price").GetProperty("value").GetDecimal());
        Assert.Equal(writer.ChangeOrigin, now.ChangeOrigin);
    }

    [Fact]
    public async Task An_over_long_project_name_is_refused_before_anything_is_sent()
    {
        var writer = StartWriter();

        var result = await writer.CreateProjectAsync(new ProjectChanges { Name = new string('x', 201) }, "p-long");

        Assert.Equal("name", Assert.IsType<PropstreetWriteResult.Invalid>(result).Field);
        Assert.Empty(Sandbox.RequestsTo("POST", "/api/v1/projects"));
    }

    [Fact]
    public async Task A_prospect_added_twice_with_one_key_is_added_once_and_its_classification_follows_its_etag()
    {
        var writer = StartWriter();
        var project = Written(await writer.CreateProjectAsync(new ProjectChanges { Name = "Harbour" }, "p-2"));
        var contact = Written(await writer.UpsertContactByExternalRefAsync("hubspot", "77", new ContactChanges { FirstName = "Ada" }));
        var investor = new NewProspect(contact.Id, null, [new("hubspot", "deal-2")]);

        var added = Written(await writer.CreateProspectAsync(project.Id, investor, "prospect-1"));
        var again = Written(await writer.CreateProspectAsync(project.Id, investor, "prospect-1"));
        var classified = Written(await writer.UpdateProspectAsync(project.Id, added.Id, new ProspectChanges { Classification = "bidder" }, added.ETag));
        var stale = await writer.UpdateProspectAsync(project.Id, added.Id, new ProspectChanges { Classification = "contacted" }, added.ETag);

        Assert.Equal(added.Id, again.Id);
        Assert.Equal($"{project.Id}:{added.Id}", added.ToObservedRecord().Id);
        Assert.IsType<PropstreetWriteResult.PreconditionFailed>(stale);
        var now = Written(await writer.GetProspectAsync(project.Id, added.Id));
        Assert.Equal(("bidder", classified.ETag), (Text(now.Record, "classification"), now.ETag));
        var duplicate = Assert.IsType<PropstreetWriteResult.Conflict>(await writer.CreateProspectAsync(project.Id, investor, "prospect-other-key"));
        Assert.Equal("duplicate-prospect", duplicate.Kind);
    }
}
