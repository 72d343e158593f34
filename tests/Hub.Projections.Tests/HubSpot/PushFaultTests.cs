using System.Net.Http.Json;
using Hub.Projections.HubSpot;
using Hub.Sync.HubSpot;

namespace Hub.Projections.Tests.HubSpot;

/// <summary>
/// HubSpot misbehaving while the push runs. The sources are ingested first by a host without HubSpot; then a host with
/// the HubSpot connection starts under the faults, so every push request meets them.
/// </summary>
public sealed class PushFaultTests : HubSpotSyncTest
{
    [Fact]
    public async Task A_push_that_timed_out_after_HubSpot_applied_it_is_retried_without_a_duplicate()
    {
        await IngestEverythingAsync();
        // Most requests are applied and then answered after the client gave up (1 s timeout). The push sends only about
        // six writes, so the share is high enough that some surely time out (a third left none about one run in ten),
        // and the client gets enough attempts that none gives up for good.
        await Sandbox.SetFaultsAsync(new { lateAnswerShare = 0.7, lateAnswerDelay = "00:00:03" });
        var settings = HubSpotSettings(requestTimeoutSeconds: 1);
        settings[$"HubSpot:Connections:{Connection}:MaxAttempts"] = "12";
        Hub.StartHost(settings: settings);
        await WaitUntilPushSettledAsync();
        await Sandbox.SetFaultsAsync(new { });

        var objects = (await Sandbox.HubSpotStatsAsync()).GetProperty("objects");
        var mapped = await MappedAsync();
        var expected = new Dictionary<string, int>
        {
            [HubSpotObjectTypes.Contacts] = mapped.Count(m => m.Target.ObjectType == HubSpotObjectTypes.Contacts),
            [HubSpotObjectTypes.Companies] = mapped.Count(m => m.Target.ObjectType == HubSpotObjectTypes.Companies),
            [HubSpotObjectTypes.Deals] = mapped.Count(m => m.Target.ObjectType == HubSpotObjectTypes.Deals && m.Target.Link is null),
        };
        foreach (var (type, count) in expected)
        {
            // Each record created once, none twice, none archived...
            Assert.Equal(count, objects.GetProperty(type).GetProperty("live").GetInt32());
            Assert.Equal(count, objects.GetProperty(type).GetProperty("created").GetInt64());
        }

        // ...although retries happened: HubSpot was sent more inputs than there are records.
        Assert.True(expected.Sum(e => objects.GetProperty(e.Key).GetProperty("writeInputs").GetInt64()) > expected.Values.Sum(), objects.ToString());
        await AssertInSyncAsync();
    }

    [Fact]
    public async Task HubSpot_429s_and_5xx_slow_the_push_but_lose_nothing_and_never_exceed_the_burst_budget()
    {
        await IngestEverythingAsync();
        // HubSpot allows 4 requests per 2 s here, and the connection's budget says the same.
        using (var limits = await Sandbox.Control.PutAsJsonAsync(new Uri("/_sandbox/hubspot/settings", UriKind.Relative), new
        {
            rateLimitsEnabled = true, burstLimit = 4, burstWindowSeconds = 2, dailyLimit = 250_000, searchLimitPerSecond = 5, searchVisibilityDelayMs = 0,
        }))
        {
            limits.EnsureSuccessStatusCode();
        }

        await Sandbox.SetFaultsAsync(new { serverErrorShare = 0.2, tooManyRequestsShare = 0.2 });
        var settings = HubSpotSettings();
        settings[$"HubSpot:Connections:{Connection}:BurstLimit"] = "4";
        settings[$"HubSpot:Connections:{Connection}:BurstWindowSeconds"] = "2";
        Hub.StartHost(settings: settings);
        await WaitUntilPushSettledAsync();
        await Sandbox.SetFaultsAsync(new { });

        var stats = await Sandbox.HubSpotStatsAsync();
        Assert.InRange(stats.GetProperty("maxRequestsInBurstWindow").GetInt32(), 1, 4);
        Assert.True(stats.GetProperty("requests").GetInt64() > 4, "the budget was never tested: " + stats);
        await AssertInSyncAsync();
    }

    private async Task AssertInSyncAsync()
    {
        Assert.DoesNotContain(await ReadModelAsync(), r => r.On(Connection)?.Parked is not null);
        var parity = await ParityAsync();
        Assert.True(parity.Mismatches.Count == 0, HubSpotParityCommand.Format(parity));
    }
}
