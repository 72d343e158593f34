using Hub.Projections.HubSpot;
using Hub.Sync.HubSpot;
using Hub.Testing;

namespace Hub.Projections.Tests.HubSpot;

public sealed class PushCrashTests : HubSpotSyncTest
{
    [Fact]
    public async Task Projections_killed_mid_push_resumes_without_duplicates_and_ends_with_parity_0()
    {
        await IngestEverythingAsync();
        // Slow HubSpot answers keep the push in flight long enough to kill it mid-way.
        await Sandbox.SetFaultsAsync(new { latency = "00:00:00.400" });
        var settings = HubSpotSettings();
        settings["ASPNETCORE_ENVIRONMENT"] = "Development";
        using (var doomed = new HostProcess("Hub.Projections", Hub.Database.ConnectionString, Hub.Broker.Amqp, settings))
        {
            // Killed once HubSpot has taken some writes: applied there, not yet (all) recorded by the hub.
            await ProjectionsHost.WaitUntilAsync(async () => Written(await Sandbox.HubSpotStatsAsync()) > 0);
            doomed.Kill();
        }

        var writtenBeforeKill = Written(await Sandbox.HubSpotStatsAsync());
        var unrecorded = (await ReadModelAsync()).Count(r => r.PendingOn(Connection));
        Assert.True(writtenBeforeKill > 0 && unrecorded > 0, $"{writtenBeforeKill} writes in HubSpot, {unrecorded} records not yet recorded as pushed");
        await Sandbox.SetFaultsAsync(new { });
        Hub.StartHost(settings: HubSpotSettings());
        await WaitUntilPushSettledAsync();

        var stats = await Sandbox.HubSpotStatsAsync();
        var contacts = (await MappedAsync()).Count(m => m.Target.ObjectType == HubSpotObjectTypes.Contacts && !m.Target.Archived);
        Assert.Equal(contacts, Live(stats, "contacts"));
        Assert.Equal(contacts, stats.GetProperty("objects").GetProperty("contacts").GetProperty("created").GetInt64());
        var parity = await ParityAsync();
        Assert.True(parity.Mismatches.Count == 0, HubSpotParityCommand.Format(parity));
    }

    private static long Written(System.Text.Json.JsonElement stats) =>
        stats.GetProperty("objects").EnumerateObject().Sum(o => o.Value.GetProperty("writeInputs").GetInt64());
}
