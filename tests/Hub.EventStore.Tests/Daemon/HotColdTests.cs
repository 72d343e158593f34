namespace Hub.EventStore.Tests.Daemon;

public sealed class HotColdTests(EventStoreDatabase store) : IClassFixture<EventStoreDatabase>
{
    [Fact]
    public async Task Two_processes_run_each_projection_and_subscription_once_and_the_survivor_takes_over_when_the_leader_is_killed()
    {
        await using var first = await WorkerProcess.StartAsync(store.Database.ConnectionString);
        await using var second = await WorkerProcess.StartAsync(store.Database.ConnectionString);

        await WriteContactsAsync("a");
        await DaemonAssertions.CaughtUpExactlyOnceAsync(store);
        var subscriber = Assert.Single(await ProcessesAsync("SELECT DISTINCT process_id FROM hub.delivered_events"));
        var projector = Assert.Single(await ProcessesAsync("SELECT DISTINCT (data ->> 'projectedBy')::int FROM hub.mt_doc_streamtally"));
        Assert.Contains(subscriber, new[] { first.Id, second.Id });
        Assert.Contains(projector, new[] { first.Id, second.Id });

        var (leader, survivor) = subscriber == first.Id ? (first, second) : (second, first);
        await leader.KillAsync();

        await WriteContactsAsync("b");
        await DaemonAssertions.CaughtUpExactlyOnceAsync(store);
        Assert.Equal([survivor.Id], await ProcessesAsync(
            "SELECT DISTINCT process_id FROM hub.delivered_events WHERE stream_key LIKE 'test-contact-b-%'"));
        Assert.Equal([survivor.Id], await ProcessesAsync(
            "SELECT DISTINCT (data ->> 'projectedBy')::int FROM hub.mt_doc_streamtally WHERE id LIKE 'test-contact-b-%'"));
    }

    private async Task WriteContactsAsync(string batch)
    {
        for (var s = 0; s < 20; s++)
        {
            await store.Writer().WriteAsync($"message-{batch}-{s}", [TestEvents.Stream(
                $"test-contact-{batch}-{s}", [.. Enumerable.Range(1, 10).Select(r => TestEvents.Contact($"{batch}-{s}", r))])]);
        }
    }

    private async Task<List<int>> ProcessesAsync(string sql)
    {
        await using var command = store.DataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        var processes = new List<int>();
        while (await reader.ReadAsync())
            processes.Add(reader.GetInt32(0));
        return processes;
    }
}
