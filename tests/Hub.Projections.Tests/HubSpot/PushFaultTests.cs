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
        // A third of the requests are applied and then answered after the client gave up (1 s timeout).
        await Sandbox.SetFaultsAsync(new { lateAnswerShare = 0.35, lateAnswerDelay = "00:00:03" });
        Hub.StartHost(settings: HubSpotSettings(requestTimeoutSeconds: 1));
        await WaitUntilPushSettledAsync();
        await Sandbox.SetFaultsAsync(new { });

        var stats = await HubSpotStatsAsync();
        var mapped = await MappedAsync();
        var contacts = mapped.Count(m => m.Target.ObjectType == HubSpotObjectTypes.Contacts && !m.Target.Archived);
        Assert.Equal(contacts, Live(stats, "contacts"));
        Assert.Equal(0, stats.GetProperty("objects").GetProperty("contacts").GetProperty("archived").GetInt32());
        // Retries happened: HubSpot was sent more contact inputs than there are contacts, and created each one once.
        Assert.True(stats.GetProperty("objects").GetProperty("contacts").GetProperty("writeInputs").GetInt64() > contacts, stats.ToString());
        Assert.Equal(contacts, stats.GetProperty("objects").GetProperty("contacts").GetProperty("created").GetInt64());
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

        var stats = await HubSpotStatsAsync();
        Assert.InRange(stats.GetProperty("maxRequestsInBurstWindow").GetInt32(), 1, 4);
        Assert.True(stats.GetProperty("requests").GetInt64() > 4, "the budget was never tested: " + stats);
        await AssertInSyncAsync();
    }

    /// <summary>Ingests the seed with a host that has no HubSpot connection and waits until it is all stored.</summary>
    private async Task IngestEverythingAsync()
    {
        Hub.StartHost();
        StartIngest(AllSourcesIngestSettings());
        (int Count, DateTime Since) last = (-1, DateTime.UtcNow);
        await ProjectionsHost.WaitUntilAsync(async () =>
        {
            var count = (await Hub.RecordsAsync()).Count;
            if (count != last.Count)
                last = (count, DateTime.UtcNow);
            return count >= Contacts && DateTime.UtcNow - last.Since > TimeSpan.FromSeconds(5);
        });
        await Hub.StopHostAsync(0);
    }

    private async Task AssertInSyncAsync()
    {
        Assert.DoesNotContain(await ReadModelAsync(), r => r.On(Connection)?.Parked is not null);
        var parity = await ParityAsync();
        Assert.True(parity.Mismatches.Count == 0, HubSpotParityCommand.Format(parity));
    }
}
