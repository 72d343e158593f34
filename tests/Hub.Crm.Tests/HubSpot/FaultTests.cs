using Hub.Crm.HubSpot;

namespace Hub.Crm.Tests.HubSpot;

/// <summary>The sandbox's own fault switches on <c>/crm</c> (seeded, so every run sees the same faults).</summary>
public sealed class FaultTests : HubSpotTest
{
    private const string Upsert = "/crm/v3/objects/contacts/batch/upsert";

    [Fact]
    public async Task Server_errors_are_retried_until_HubSpot_answers_and_nothing_is_lost_or_doubled()
    {
        var client = StartHub(new Dictionary<string, string?> { ["MaxAttempts"] = "10" });
        await Sandbox.SetFaultsAsync(new { serverErrorShare = 0.5 });

        var results = await UpsertOneByOneAsync(client, 10);

        await Sandbox.ClearFaultsAsync();
        Assert.All(results, r => Assert.True(r.Succeeded, r.Error?.Message));
        Assert.Contains(Sandbox.RequestsTo("POST", Upsert), r => r.Status >= 500);
        Assert.Equal(10, (await AllAsync(client, "contacts")).Count);
    }

    [Fact]
    public async Task Upserts_that_timed_out_after_HubSpot_applied_them_are_retried_without_a_duplicate()
    {
        var client = StartHub(new Dictionary<string, string?> { ["RequestTimeoutSeconds"] = "1", ["MaxAttempts"] = "10" });
        await Sandbox.SetFaultsAsync(new { lateAnswerShare = 0.5, lateAnswerDelay = "00:00:03" });

        var results = await UpsertOneByOneAsync(client, 6);

        await Sandbox.ClearFaultsAsync();
        Assert.All(results, r => Assert.True(r.Succeeded, r.Error?.Message));
        Assert.Contains(results, r => !r.Created);   // its first, timed-out attempt created it
        Assert.True(Sandbox.RequestsTo("POST", Upsert).Count > 6, "some upserts were sent again");
        Assert.Equal(Enumerable.Range(0, 6).Select(i => $"ps-{i}"), (await AllAsync(client, "contacts", "propstreet_id")).Select(c => c.Properties["propstreet_id"]).Order());
    }

    [Fact]
    public async Task A_create_that_timed_out_is_not_sent_again_and_says_its_outcome_is_unknown()
    {
        var client = StartHub(new Dictionary<string, string?> { ["RequestTimeoutSeconds"] = "1" });
        await Sandbox.SetFaultsAsync(new { lateAnswerShare = 1.0, lateAnswerDelay = "00:00:03" });

        var result = await client.CreateAsync("contacts", Properties(("firstname", "Ada")));

        await Sandbox.ClearFaultsAsync();
        Assert.Equal((HubSpotErrorCategory.OutcomeUnknown, false), (result.Error?.Category, result.Error?.Retryable ?? true));
        Assert.Single(Sandbox.RequestsTo("POST", "/crm/v3/objects/contacts"));
        Assert.Single(await AllAsync(client, "contacts"));
    }

    [Fact]
    public async Task A_batch_HubSpot_keeps_failing_fails_every_record_as_retryable_after_the_last_attempt()
    {
        var client = StartHub(new Dictionary<string, string?> { ["MaxAttempts"] = "3" });
        await Sandbox.SetFaultsAsync(new { serverErrorShare = 1.0 });

        var result = await client.UpsertAsync("contacts", "propstreet_id", [new("ps-1", Properties()), new("ps-2", Properties())]);

        Assert.All(result.Records, r => Assert.Equal((HubSpotErrorCategory.Server, true), (r.Error?.Category, r.Error?.Retryable ?? false)));
        Assert.Equal(3, Sandbox.RequestsTo("POST", Upsert).Count);
    }

    private static async Task<List<HubSpotRecordResult>> UpsertOneByOneAsync(HubSpotClient client, int count)
    {
        var results = new List<HubSpotRecordResult>();
        for (var i = 0; i < count; i++)
            results.AddRange((await client.UpsertAsync("contacts", "propstreet_id", [new($"ps-{i}", Properties(("firstname", $"Number {i}")))])).Records);
        return results;
    }
}

public sealed class DailyLimitTests : HubSpotTest
{
    protected override IDictionary<string, string?> SandboxSettings => new Dictionary<string, string?> { ["Sandbox:HubSpot:DailyLimit"] = "2" };

    [Fact]
    public async Task A_spent_daily_limit_stops_at_once_with_a_typed_failure()
    {
        var client = StartHub();
        await client.UpsertAsync("contacts", "propstreet_id", [new("ps-1", Properties())]);
        await client.UpsertAsync("contacts", "propstreet_id", [new("ps-2", Properties())]);

        var refused = Assert.Single((await client.UpsertAsync("contacts", "propstreet_id", [new("ps-3", Properties())])).Records);

        Assert.Equal(HubSpotErrorCategory.DailyLimitReached, refused.Error?.Category);
        Assert.Equal(3, Sandbox.Requests.Count);
    }
}
