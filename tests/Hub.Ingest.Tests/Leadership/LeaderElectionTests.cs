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

    protected override IDictionary<string, string?> SandboxSettings => new Dictionary<string, string?> { ["Sandbox:Sizes:Contacts"] = "600" };
}
