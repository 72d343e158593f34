using Hub.Crm.HubSpot;

namespace Hub.Crm.Tests.HubSpot;

public sealed class FaultTests : HubSpotTest
{
    private const string Upsert = "/crm/v3/objects/contacts/batch/upsert";

    [Fact]
    public async Task A_5xx_is_retried_until_HubSpot_answers()
    {
        var client = StartHub();
        Sandbox.Faults.FailNext("POST", Upsert, 2);

        var result = Assert.Single((await client.UpsertAsync("contacts", "propstreet_id", [new("ps-1", Properties(("firstname", "Ada")))])).Records);

        Assert.True(result.Succeeded, result.Error?.Message);
        Assert.Equal([503, 503, 200], Sandbox.RequestsTo("POST", Upsert).Select(r => r.Status));
        Assert.Single(await AllAsync(client, "contacts"));
    }

    [Fact]
    public async Task An_upsert_that_timed_out_after_HubSpot_applied_it_is_retried_without_a_duplicate()
    {
        var client = StartHub(new Dictionary<string, string?> { ["RequestTimeoutSeconds"] = "1" });
        Sandbox.Faults.ApplyThenHoldNext("POST", Upsert, 1, TimeSpan.FromSeconds(5));

        var result = await client.UpsertAsync("contacts", "propstreet_id", [new("ps-1", Properties(("firstname", "Ada"))), new("ps-2", Properties(("firstname", "Alan")))]);

        Assert.All(result.Records, r => Assert.True(r.Succeeded, r.Error?.Message));
        Assert.All(result.Records, r => Assert.False(r.Created));   // the first, timed-out attempt created them
        Assert.Equal(2, Sandbox.RequestsTo("POST", Upsert).Count);
        Assert.Equal(["ps-1", "ps-2"], (await AllAsync(client, "contacts", "propstreet_id")).Select(c => c.Properties["propstreet_id"]).Order());
    }

    [Fact]
    public async Task A_create_that_timed_out_is_not_sent_again_and_says_its_outcome_is_unknown()
    {
        var client = StartHub(new Dictionary<string, string?> { ["RequestTimeoutSeconds"] = "1" });
        Sandbox.Faults.ApplyThenHoldNext("POST", "/crm/v3/objects/contacts", 1, TimeSpan.FromSeconds(5));

        var result = await client.CreateAsync("contacts", Properties(("firstname", "Ada")));

        Assert.Equal((HubSpotErrorCategory.OutcomeUnknown, false), (result.Error?.Category, result.Error?.Retryable ?? true));
        Assert.Single(Sandbox.RequestsTo("POST", "/crm/v3/objects/contacts"));
        Assert.Single(await AllAsync(client, "contacts"));
    }

    [Fact]
    public async Task A_batch_HubSpot_keeps_failing_fails_every_record_as_retryable_after_the_last_attempt()
    {
        var client = StartHub(new Dictionary<string, string?> { ["MaxAttempts"] = "3" });
        Sandbox.Faults.FailNext("POST", Upsert, 10, status: 502);

        var result = await client.UpsertAsync("contacts", "propstreet_id", [new("ps-1", Properties()), new("ps-2", Properties())]);

        Assert.All(result.Records, r => Assert.Equal((HubSpotErrorCategory.Server, true), (r.Error?.Category, r.Error?.Retryable ?? false)));
        Assert.Equal(3, Sandbox.RequestsTo("POST", Upsert).Count);
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
