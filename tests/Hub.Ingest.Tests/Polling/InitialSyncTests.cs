using Hub.Ingest.Tests.Hosting;

namespace Hub.Ingest.Tests.Polling;

public sealed class InitialSyncTests : IngestTest
{
    [Fact]
    public async Task Initial_sync_sends_every_contact_exactly_once_one_message_per_page()
    {
        var expected = await SandboxContactIdsAsync();
        Sandbox.Requests.Clear();

        StartIngest(IngestHost.Propstreet(Sandbox.BaseUrl, pageSize: 40, schedule: "01:00:00"));
        await Observations.WaitUntilAsync(q => q.Records.Select(r => r.Id).ToHashSet().IsSupersetOf(expected));

        var ids = Observations.Records.Select(r => r.Id).ToList();
        Assert.Equal(expected.Order(), ids.Order());
        Assert.Equal((expected.Count + 39) / 40, Observations.Received.Count);
        Assert.All(Observations.Received, o => Assert.StartsWith("poll:main:contact:", o.ObservationId, StringComparison.Ordinal));
        Assert.All(Sandbox.RequestsTo("/api/v1/network/contacts"), r => Assert.Contains("include_deleted=true", r, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Pages_sent_while_nothing_consumes_hub_observations_are_kept_in_the_durable_queue()
    {
        var expected = await SandboxContactIdsAsync();
        var ingest = StartIngest(IngestHost.Propstreet(Sandbox.BaseUrl, pageSize: 100, schedule: "01:00:00"));
        await WaitForCheckpointAsync();

        // Nothing consumed while Ingest ran; Ingest is gone before anyone reads.
        await StopAsync(ingest);
        await Observations.DrainAsync();
        Assert.Equal(expected.Order(), Observations.Records.Select(r => r.Id).Order());
    }

    [Fact]
    public async Task Prospects_and_linked_properties_are_polled_per_project_prospects_keyed_by_project()
    {
        StartIngest(IngestHost.Propstreet(Sandbox.BaseUrl, pageSize: 500, schedule: "01:00:00", "projects", "prospects", "properties"));
        await Observations.WaitUntilAsync(q => q.Received.Select(o => o.Resource).Distinct().Count() == 3);
        await Observations.WaitUntilAsync(q => q.Received.Count(o => o.Resource == "prospect") == 3);

        var projects = Observations.Received.Where(o => o.Resource == "project").SelectMany(o => o.Records).Select(r => r.Id).ToHashSet();
        var prospects = Observations.Received.Where(o => o.Resource == "prospect").SelectMany(o => o.Records).ToList();
        Assert.Equal(3, projects.Count);
        Assert.Equal(6, prospects.Count);
        Assert.All(prospects, p => Assert.Equal($"{p.Data.GetProperty("projectId").GetString()}:{p.Data.GetProperty("id").GetString()}", p.Id));
        Assert.All(prospects, p => Assert.Contains(p.Id.Split(':')[0], projects));
        Assert.Contains(Observations.Received, o => o.Resource == "property");
    }

    private async Task WaitForCheckpointAsync()
    {
        for (var i = 0; i < 600; i++)
        {
            if (await ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE schemaname = 'hub_ingest' AND tablename = 'checkpoints'") == 1
                && await ScalarAsync<long>("SELECT count(*) FROM hub_ingest.checkpoints WHERE initial_done") == 1)
                return;
            await Task.Delay(100);
        }

        throw new TimeoutException("The initial sync did not complete.");
    }
}
