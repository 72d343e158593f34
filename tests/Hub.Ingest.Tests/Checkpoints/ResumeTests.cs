using Hub.Ingest.Tests.Hosting;
using Hub.Testing;

namespace Hub.Ingest.Tests.Checkpoints;

public sealed class ResumeTests : IngestTest
{
    [Fact]
    public async Task An_ingest_process_killed_mid_initial_sync_is_taken_over_from_its_checkpoint_and_nothing_is_lost()
    {
        var all = await SandboxContactIdsAsync();
        Sandbox.Requests.Clear();
        await Sandbox.SetFaultsAsync(new { latency = "00:00:00.200" });
        var settings = IngestHost.Propstreet(Sandbox.BaseUrl, pageSize: 50, schedule: "01:00:00");
        settings["Ingest:Leadership:RetryInterval"] = "00:00:00.500";
        using var first = new HostProcess("Hub.Ingest", Database.ConnectionString, Broker.Amqp, settings);
        await Observations.WaitUntilAsync(q => q.Received.Count >= 3);

        // The first is killed mid-sync (its checkpoint says so); a second pod takes over.
        var second = new IngestHost(Database.ConnectionString, Broker.Amqp, settings);
        first.Kill();
        Assert.False(await ScalarAsync<bool>("SELECT initial_done FROM hub_ingest.checkpoints WHERE connection = 'main' AND scope = 'contact'"));
        await using var successor = second.Start();
        await Observations.WaitUntilAsync(q => q.Records.Select(r => r.Id).ToHashSet().IsSupersetOf(all));

        // Every contact arrived (the page in flight at the kill may come twice; the store de-duplicates it), and
        // the sync started from the beginning exactly once: the successor resumed at the saved cursor.
        Assert.Equal(all.Order(), Observations.Records.Select(r => r.Id).Distinct().Order());
        Assert.Single(Sandbox.RequestsTo("/api/v1/network/contacts"), r => !r.Contains("cursor=", StringComparison.Ordinal) && !r.Contains("updated_since=", StringComparison.Ordinal));
        Assert.True(Observations.Records.Count() <= all.Count + 2 * 50, "more than the pages in flight were sent again");
        Assert.True(await ScalarAsync<bool>("SELECT initial_done FROM hub_ingest.checkpoints WHERE connection = 'main' AND scope = 'contact'"));
    }

    protected override IDictionary<string, string?> SandboxSettings => new Dictionary<string, string?>
    {
        ["Sandbox:Sizes:Contacts"] = "1000",
    };
}
