using Hub.Ingest.Tests.Hosting;

namespace Hub.Ingest.Tests.Polling;

public sealed class TransientFaultTests : IngestTest
{
    [Fact]
    public async Task Sync_completes_with_every_contact_through_server_errors_and_dropped_connections()
    {
        var all = await SandboxContactIdsAsync();
        Sandbox.Requests.Clear();
        await Sandbox.SetFaultsAsync(new { serverErrorShare = 0.25, dropConnectionShare = 0.15 });

        StartIngest(IngestHost.Propstreet(Sandbox.BaseUrl, pageSize: 20, schedule: "01:00:00"));
        await Observations.WaitUntilAsync(q => q.Records.Select(r => r.Id).ToHashSet().IsSupersetOf(all), seconds: 120);

        Assert.Equal(all.Order(), Observations.Records.Select(r => r.Id).Distinct().Order());
        Assert.True(Sandbox.Requests.Count > (all.Count + 19) / 20, "no request failed, so nothing was retried");
    }
}
