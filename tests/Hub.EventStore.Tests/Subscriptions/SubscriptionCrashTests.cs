using Hub.EventStore.Appending;
using Hub.EventStore.Subscriptions;
using Hub.EventStore.TestWorker;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hub.EventStore.Tests.Subscriptions;

public sealed class SubscriptionCrashTests(EventStoreDatabase store) : IClassFixture<EventStoreDatabase>
{
    [Fact]
    public async Task A_subscription_killed_in_the_middle_of_a_batch_resumes_without_applying_any_event_twice_or_missing_one()
    {
        await store.ScalarAsync(ReadModelHandler.CreateTableSql + "; SELECT 0");
        var appender = store.Appender();
        for (var page = 0; page < 10; page++)
        {
            await appender.AppendBatchAsync([.. Enumerable.Range(0, 50).Select(i => new StreamAppend(
                $"test-contact-{page}-{i}", "test-contact", ExpectedVersion.Any, [TestEvents.Contact($"{page}-{i}", 1)]))]);
        }

        // Batches of 40: two commit, the third is half written when the process is killed.
        await using (var worker = WorkerProcess.Start(store.Database.ConnectionString, "crash-test", "40", "3"))
        {
            await worker.WaitForLineAsync(ReadModelHandler.MidBatchSignal);
            await worker.KillAsync();
        }

        Assert.Equal(80, await store.ScalarAsync("SELECT count(*) FROM read_model"));

        // More events arrive while it is down; a fresh run picks up from the checkpoint.
        await appender.AppendAsync("test-contact-late", "test-contact", ExpectedVersion.Any, [TestEvents.Contact("late", 1)]);
        using var stop = new CancellationTokenSource();
        var runner = new SubscriptionRunner(
            "crash-test", new ReadModelHandler(), store.DataSource, store.Reader(),
            new SubscriptionOptions { BatchSize = 40, PollInterval = TimeSpan.FromMilliseconds(100) },
            TimeProvider.System, NullLogger<SubscriptionRunner>.Instance);
        var running = runner.RunAsync(stop.Token);

        await ReadModelAssertions.CaughtUpExactlyOnceAsync(store);
        await stop.CancelAsync();
        await running;
        Assert.Equal(501, await store.ScalarAsync("SELECT count(*) FROM read_model"));
    }
}
