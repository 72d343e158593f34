namespace Hub.Projections.Tests.EndToEnd;

public sealed class ProjectionsStartedLaterTests : EndToEndTest
{
    [Fact]
    public async Task A_sync_ingested_before_projections_ever_ran_on_a_fresh_broker_all_arrives_once_projections_starts()
    {
        // Fresh virtual host: no hub-observations queue until Ingest's first send declares it.
        StartIngest(IngestSettings(pageSize: 500));
        await ProjectionsHost.WaitUntilAsync(async () => await InitialSyncDoneAsync());
        Assert.True(await InitialSyncDoneAsync());
        Assert.Equal((uint)((Contacts + 499) / 500), await QueuedObservationsAsync());

        Hub.StartHost();
        await WaitForStreamsAsync(Contacts);
        await ReceiveEverythingStoredAsync();

        Assert.Equal(Contacts, (await ContactStreamsAsync()).Count);
        await AssertSubscriberReceivedEveryChangeInOrderAsync();
    }

    private async Task<bool> InitialSyncDoneAsync()
    {
        await using var dataSource = Hub.Database.CreateDataSource();
        await using var command = dataSource.CreateCommand(
            "SELECT EXISTS (SELECT 1 FROM hub_ingest.checkpoints WHERE scope = 'contact' AND initial_done)");
        try
        {
            return (bool)(await command.ExecuteScalarAsync())!;
        }
        catch (Npgsql.PostgresException)
        {
            return false; // the table is not there yet
        }
    }
}
