using System.Net;
using Hub.Sandbox.Tests.Hosting;

namespace Hub.Sandbox.Tests.HubSpot;

/// <summary>The sandbox-wide faults reach HubSpot's paths, answering in HubSpot's shapes.</summary>
public sealed class HubSpotFaultTests
{
    [Fact]
    public async Task An_injected_server_error_on_a_crm_path_carries_HubSpots_error_body()
    {
        await using var sandbox = new HubSpotSandbox();
        await SandboxFactory.SetFaultsAsync(sandbox.Control(), new { serverErrorShare = 1.0 });

        using var response = await sandbox.Api().GetAsync("/crm/v3/objects/contacts");
        var body = await HubSpotSandbox.ReadAsync(response);

        Assert.InRange((int)response.StatusCode, 500, 503);
        Assert.Equal("error", body["status"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(body["correlationId"]!.GetValue<string>()));
        Assert.True(response.Headers.Contains("X-HubSpot-RateLimit-Remaining"));
    }

    [Fact]
    public async Task An_injected_429_on_a_crm_path_is_HubSpots_burst_limit_answer_and_counts_against_the_budget()
    {
        await using var sandbox = new HubSpotSandbox();
        await SandboxFactory.SetFaultsAsync(sandbox.Control(), new { tooManyRequestsShare = 1.0 });

        using var response = await sandbox.Api().GetAsync("/crm/v3/objects/contacts");
        var stats = await HubSpotSandbox.StatsAsync(sandbox.Control());

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("TEN_SECONDLY_ROLLING", (await HubSpotSandbox.ReadAsync(response))["policyName"]!.GetValue<string>());
        Assert.Equal(1, stats["requests"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_late_answer_applies_the_upsert_so_a_client_that_timed_out_and_retries_creates_no_duplicate()
    {
        await using var sandbox = new HubSpotSandbox();
        await SandboxFactory.SetFaultsAsync(sandbox.Control(), new { lateAnswerShare = 1.0, lateAnswerDelay = "00:05:00" });
        var impatient = sandbox.Api();
        impatient.Timeout = TimeSpan.FromSeconds(5);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => HubSpotSandbox.UpsertContactsAsync(impatient, ("ps-1", new { firstname = "Ann" })));
        var applied = await LiveContactsAsync(sandbox, atLeast: 1);
        await SandboxFactory.SetFaultsAsync(sandbox.Control(), new { });
        using var retry = await HubSpotSandbox.UpsertContactsAsync(sandbox.Api(), ("ps-1", new { firstname = "Ann" }));
        var result = await HubSpotSandbox.ReadAsync(retry);
        var stats = await HubSpotSandbox.StatsAsync(sandbox.Control());

        Assert.Equal(1, applied);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.False(result["results"]![0]!["new"]!.GetValue<bool>());
        Assert.Equal(1, stats["objects"]!["contacts"]!["created"]!.GetValue<long>());
    }

    /// <summary>Live contacts once the sandbox has finished the request it is holding back. Polling a state, not timing it.</summary>
    private static async Task<int> LiveContactsAsync(HubSpotSandbox sandbox, int atLeast)
    {
        for (var i = 0; ; i++)
        {
            var live = (await HubSpotSandbox.StatsAsync(sandbox.Control()))["objects"]!["contacts"]!["live"]!.GetValue<int>();
            if (live >= atLeast || i > 100)
                return live;
            await Task.Delay(50);
        }
    }
}
