using Hub.EventStore.TestWorker;

namespace Hub.EventStore.Tests.Daemon;

public sealed class ProcessCrashTests(EventStoreDatabase store) : IClassFixture<EventStoreDatabase>
{
    [Fact]
    public async Task A_process_killed_mid_batch_resumes_with_projection_and_subscription_equal_to_the_log()
    {
        // A log large enough that the worker is still catching up when it stops: 100 streams of 100 events.
        for (var page = 0; page < 10; page++)
        {
            await using var session = store.Store.LightweightSession();
            for (var s = 0; s < 10; s++)
                session.Events.Append($"test-contact-crash-{page}-{s}", [.. Enumerable.Range(1, 100).Select(r => new ContactObserved($"crash-{page}-{s}", r))]);
            await session.SaveChangesAsync();
        }

        var logEnd = await store.ScalarAsync("SELECT max(seq_id) FROM hub.mt_events");

        // After 2,000 events each, the projection and the subscription stop inside a batch, uncommitted, and the
        // worker says so; then it dies as a crash would.
        await using (var worker = await WorkerProcess.StartAsync(store.Database.ConnectionString, "2000"))
        {
            await worker.WaitForLineAsync(WorkerSignals.MidBatch);
            await worker.KillAsync();
        }

        // Both had committed part of the log, not all of it: the restart below resumes rather than starts over.
        Assert.All(await DaemonAssertions.CommittedProgressAsync(store), committed => Assert.InRange(committed, 1, logEnd - 1));

        // More events arrive while it is down.
        await store.Writer().WriteAsync("message-crash-late", [TestEvents.Stream("test-contact-crash-late", TestEvents.Contact("crash-late", 1))]);

        await using var restarted = await WorkerProcess.StartAsync(store.Database.ConnectionString);
        await DaemonAssertions.CaughtUpExactlyOnceAsync(store);
    }
}
