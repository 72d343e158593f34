using Hub.Ingest.Tests.Hosting;
using Hub.Testing;

namespace Hub.Projections.Tests.EndToEnd;

public sealed class IngestCrashTests : EndToEndTest
{
    [Fact]
    public async Task An_ingest_process_killed_mid_initial_sync_is_resumed_by_a_successor_with_nothing_lost_or_duplicated_in_the_streams()
    {
        Hub.StartHost();
        // Slow pages, so the kill lands mid-sync.
        await Sandbox.SetFaultsAsync(new { latency = "00:00:00.200" });
        var settings = IngestSettings(pageSize: 100);
        using var first = new HostProcess("Hub.Ingest", Hub.Database.ConnectionString, Hub.Broker.Amqp, settings);
        await ProjectionsHost.WaitUntilAsync(async () => (await ContactStreamsAsync()).Count >= 300);

        first.Kill();
        var beforeKill = (await ContactStreamsAsync()).Count;
        Assert.InRange(beforeKill, 300, Contacts - 1);
        StartIngest(settings);
        await WaitForStreamsAsync(Contacts);
        await ReceiveEverythingStoredAsync();

        // Pages in flight at the kill may be sent again; the store keeps each change once.
        await AssertOneStreamPerContactCreatedOnceAsync();
        await AssertSubscriberReceivedEveryChangeInOrderAsync();
    }
}
