using Hub.Ingest.Tests.Hosting;

namespace Hub.Ingest.Tests.Leadership;

public sealed class LeaderElectionTests : IngestTest
{
    [Fact]
    public async Task Two_ingest_hosts_on_one_connection_poll_each_page_once()
    {
        var all = await SandboxContactIdsAsync();
        Sandbox.Requests.Clear();
        var settings = IngestHost.Propstreet(Sandbox.BaseUrl, pageSize: 50, schedule: "01:00:00");
        StartIngest(settings);
        StartIngest(settings);

        await Observations.WaitUntilAsync(q => q.Records.Select(r => r.Id).ToHashSet().IsSupersetOf(all));
        await Task.Delay(TimeSpan.FromSeconds(2)); // room for a second poller to show itself, were there one

        var requests = Sandbox.RequestsTo("/api/v1/network/contacts").ToList();
        Assert.Equal((all.Count + 49) / 50, requests.Count);
        Assert.Equal(requests.Count, requests.Distinct().Count());
        Assert.Equal(all.Count, Observations.Records.Count());
    }

    [Fact]
    public async Task When_the_leaders_database_session_dies_the_other_host_takes_over_at_the_checkpoint()
    {
        var all = await SandboxContactIdsAsync();
        Sandbox.Requests.Clear();
        await Sandbox.SetFaultsAsync(new { latency = "00:00:00.150" });
        var settings = IngestHost.Propstreet(Sandbox.BaseUrl, pageSize: 50, schedule: "01:00:00");
        StartIngest(settings);
        StartIngest(settings);
        await Observations.WaitUntilAsync(q => q.Received.Count >= 3);

        // The leader's process lives on, but its session (and so its lock) is gone, as when its pod is partitioned.
        Assert.Equal(1, await ScalarAsync<long>(
            """
            SELECT count(pg_terminate_backend(a.pid)) FROM pg_stat_activity a
            JOIN pg_locks l ON l.pid = a.pid AND l.locktype = 'advisory' AND l.granted
            WHERE a.application_name = 'hub-ingest-leader' AND a.datname = current_database()
            """));

        await Observations.WaitUntilAsync(q => q.Records.Select(r => r.Id).ToHashSet().IsSupersetOf(all));
        Assert.Equal(all.Order(), Observations.Records.Select(r => r.Id).Distinct().Order());
        Assert.Single(Sandbox.RequestsTo("/api/v1/network/contacts"), r => !r.Contains("cursor=", StringComparison.Ordinal));
        Assert.True(await ScalarAsync<bool>("SELECT initial_done FROM hub_ingest.checkpoints WHERE connection = 'main' AND scope = 'contact'"));
    }

    protected override IDictionary<string, string?> SandboxSettings => new Dictionary<string, string?> { ["Sandbox:Sizes:Contacts"] = "600" };
}
