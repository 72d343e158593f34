using Hub.Projections.Propstreet;

namespace Hub.Projections.Tests.Propstreet;

/// <summary>The sandbox's fault switches on <c>/api</c> (seeded, so every run sees the same faults).</summary>
public sealed class WriteRetryTests : PropstreetWriterTest
{
    private const string Upserts = "/api/v1/network/contacts/external/hubspot/";

    [Fact]
    public async Task Writes_refused_with_429s_and_server_errors_are_sent_again_and_each_lands_once()
    {
        var writer = StartWriter(new Dictionary<string, string?> { ["MaxAttempts"] = "10", ["MaxRateLimitedAttempts"] = "10" });
        await Sandbox.SetFaultsAsync(new { serverErrorShare = 0.3, tooManyRequestsShare = 0.3, retryAfter = "00:00:01" });

        var results = new List<PropstreetWriteResult>();
        for (var i = 0; i < 8; i++)
            results.Add(await writer.UpsertContactByExternalRefAsync("hubspot", $"f-{i}", new ContactChanges { FirstName = $"Number {i}" }));

        await Sandbox.ClearFaultsAsync();
        Assert.All(results, r => Assert.IsType<PropstreetWriteResult.Written>(r));
        var attempts = Sandbox.RequestsTo("PATCH", Upserts);
        Assert.Contains(attempts, r => r.Status == 429);
        Assert.Contains(attempts, r => r.Status >= 500);
        var list = await Sandbox.ApiGetAsync("/api/v1/network/contacts?page_size=500&include_deleted=true");
        var written = list.GetProperty("data").EnumerateArray().SelectMany(c => Refs(c, "hubspot")).Where(id => id.StartsWith("f-", StringComparison.Ordinal)).Order().ToList();
        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"f-{i}").Order(), written);
        Assert.DoesNotContain(Logs, line => line.Contains(Token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_create_whose_answer_timed_out_after_it_was_applied_is_sent_again_and_creates_one_project()
    {
        var writer = StartWriter(new Dictionary<string, string?> { ["RequestTimeoutSeconds"] = "1", ["MaxAttempts"] = "10" });
        await Sandbox.SetFaultsAsync(new { lateAnswerShare = 0.5, lateAnswerDelay = "00:00:03" });

        var results = new List<PropstreetWriteResult>();
        for (var i = 0; i < 4; i++)
            results.Add(await writer.CreateProjectAsync(new ProjectChanges { Name = $"Late {i}" }, $"create-{i}"));

        await Sandbox.ClearFaultsAsync();
        Assert.All(results, r => Assert.IsType<PropstreetWriteResult.Written>(r));
        Assert.True(Sandbox.RequestsTo("POST", "/api/v1/projects").Count > 4, "some creates were sent again");
        var list = await Sandbox.ApiGetAsync("/api/v1/projects?page_size=500");
        var names = list.GetProperty("data").EnumerateArray().Select(p => Text(p, "name")).Where(n => n?.StartsWith("Late ", StringComparison.Ordinal) == true).Order().ToList();
        Assert.Equal(Enumerable.Range(0, 4).Select(i => $"Late {i}"), names);
    }

    [Fact]
    public async Task A_delete_whose_answer_timed_out_is_answered_with_the_deleted_contact()
    {
        var writer = StartWriter(new Dictionary<string, string?> { ["RequestTimeoutSeconds"] = "1", ["MaxAttempts"] = "10" });
        var contact = Written(await writer.UpsertContactByExternalRefAsync("hubspot", "d-1", new ContactChanges { FirstName = "Ada" }));
        await Sandbox.SetFaultsAsync(new { lateAnswerShare = 1.0, lateAnswerDelay = "00:00:03" });
        var deleting = writer.DeleteContactAsync(contact.Id, contact.ETag);
        while (Sandbox.RequestsTo("DELETE", "/api/v1/network/contacts/").Count == 0)
            await Task.Delay(50);
        await Sandbox.ClearFaultsAsync();

        var deleted = Written(await deleting);

        Assert.Equal(contact.Id, deleted.Id);
        Assert.NotNull(deleted.DeletedUtc);
    }

    [Fact]
    public async Task A_patch_whose_answer_timed_out_meets_its_own_change_as_a_failed_precondition_and_the_refetch_holds_its_values()
    {
        var writer = StartWriter(new Dictionary<string, string?> { ["RequestTimeoutSeconds"] = "1", ["MaxAttempts"] = "10" });
        var project = Written(await writer.CreateProjectAsync(new ProjectChanges { Name = "Harbour" }, "late-patch"));
        await Sandbox.SetFaultsAsync(new { lateAnswerShare = 1.0, lateAnswerDelay = "00:00:03" });
        var renaming = writer.UpdateProjectAsync(project.Id, new ProjectChanges { Name = "Harbour Offices" }, project.ETag);
        while (Sandbox.RequestsTo("PATCH", "/api/v1/projects/").Count == 0)
            await Task.Delay(50);
        await Sandbox.ClearFaultsAsync();

        var result = await renaming;

        Assert.True(Assert.IsType<PropstreetWriteResult.PreconditionFailed>(result).AfterUnansweredAttempt);
        var now = Written(await writer.GetProjectAsync(project.Id));
        Assert.Equal(("Harbour Offices", writer.ChangeOrigin), (Text(now.Record, "name"), now.ChangeOrigin));
    }

    [Fact]
    public async Task A_write_Propstreet_keeps_failing_ends_as_a_retryable_failure_after_the_last_attempt()
    {
        var writer = StartWriter(new Dictionary<string, string?> { ["MaxAttempts"] = "3" });
        await Sandbox.SetFaultsAsync(new { serverErrorShare = 1.0 });

        var result = await writer.UpsertContactByExternalRefAsync("hubspot", "x", new ContactChanges { FirstName = "Ada" });

        Assert.True(Assert.IsType<PropstreetWriteResult.Failed>(result).Retryable);
        Assert.Equal(3, Sandbox.RequestsTo("PATCH", Upserts).Count);
    }
}
