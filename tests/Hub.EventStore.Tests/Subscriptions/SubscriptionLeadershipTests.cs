using Hub.EventStore.Appending;
using Hub.EventStore.TestWorker;

namespace Hub.EventStore.Tests.Subscriptions;

public sealed class SubscriptionLeadershipTests(EventStoreDatabase store) : IClassFixture<EventStoreDatabase>
{
    [Fact]
    public async Task Two_processes_start_the_same_subscription_only_one_runs_and_the_other_takes_over_when_it_stops()
    {
        await store.ScalarAsync(ReadModelHandler.CreateTableSql + "; SELECT 0");
        var appender = store.Appender();

        await using var first = WorkerProcess.Start(store.Database.ConnectionString, "leadership", "100");
        await first.WaitForLineAsync("LEADING");
        await using var second = WorkerProcess.Start(store.Database.ConnectionString, "leadership", "100");
        await second.WaitForLineAsync("STANDBY");

        await appender.AppendBatchAsync([.. Enumerable.Range(0, 100).Select(i => new StreamAppend(
            $"test-contact-a{i}", "test-contact", ExpectedVersion.Any, [TestEvents.Contact($"a{i}", 1)]))]);
        await ReadModelAssertions.CaughtUpExactlyOnceAsync(store);
        Assert.Equal(first.Id, await store.ScalarAsync("SELECT min(handled_by) FROM read_model"));
        Assert.Equal(first.Id, await store.ScalarAsync("SELECT max(handled_by) FROM read_model"));
        Assert.False(second.HasPrinted("LEADING"));

        await first.KillAsync();
        await second.WaitForLineAsync("LEADING");

        await appender.AppendBatchAsync([.. Enumerable.Range(0, 100).Select(i => new StreamAppend(
            $"test-contact-b{i}", "test-contact", ExpectedVersion.Any, [TestEvents.Contact($"b{i}", 1)]))]);
        await ReadModelAssertions.CaughtUpExactlyOnceAsync(store);
        Assert.Equal(100, await store.ScalarAsync($"SELECT count(*) FROM read_model WHERE handled_by = {second.Id}"));
    }
}
