using Hub.Ingest.Tests.Hosting;

namespace Hub.Ingest.Tests.Checkpoints;

public sealed class ResumeTests : IngestTest
{
    [Fact]
    public async Task An_ingest_stopped_mid_initial_sync_is_taken_over_from_its_checkpoint_and_nothing_is_lost()
    {
        var all = await SandboxContactIdsAsync();
        Sandbox.Requests.Clear();
        await Sandbox.SetFaultsAsync(new { latency = "00:00:00.300" });
        var settings = IngestHost.Propstreet(Sandbox.BaseUrl, pageSize: 50, schedule: "01:00:00");
        var first = StartIngest(settings);
        await Observations.WaitUntilAsync(q => q.Received.Count >= 3);

        // A second pod waits as follower; the first dies mid-sync and the second takes over.
        var second = StartIngest(settings);
        await StopAsync(first);
        await Observations.WaitUntilAsync(q => q.Records.Select(r => r.Id).ToHashSet().IsSupersetOf(all));

        // Every contact arrived (a page re-read across the hand-over may repeat; the store de-duplicates it), and
        // the sync started from the beginning exactly once: the successor resumed at a cursor.
        Assert.Equal(all.Order(), Observations.Records.Select(r => r.Id).Distinct().Order());
        Assert.Single(Sandbox.RequestsTo("/api/v1/network/contacts"), r => !r.Contains("cursor=", StringComparison.Ordinal) && !r.Contains("updated_since=", StringComparison.Ordinal));
        Assert.True(Observations.Received.Count < 2 * ((all.Count + 49) / 50), "the successor re-read the whole sync");
        Assert.True(await ScalarAsync<bool>("SELECT initial_done FROM hub_ingest.checkpoints WHERE connection = 'main' AND scope = 'contact'"));
        _ = second;
    }

    protected override IDictionary<string, string?> SandboxSettings => new Dictionary<string, string?>
    {
        ["Sandbox:Sizes:Contacts"] = "1000",
    };
}
