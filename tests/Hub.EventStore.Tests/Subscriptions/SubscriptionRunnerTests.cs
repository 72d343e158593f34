using System.Collections.Concurrent;
using Hub.EventStore.Appending;
using Hub.EventStore.Reading;
using Hub.EventStore.Subscriptions;
using Hub.EventStore.TestWorker;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Hub.EventStore.Tests.Subscriptions;

public sealed class SubscriptionRunnerTests(EventStoreDatabase store) : IClassFixture<EventStoreDatabase>, IAsyncLifetime
{
    public async Task InitializeAsync() => await store.ScalarAsync(
        "DROP TABLE IF EXISTS read_model; TRUNCATE event_store.events, event_store.streams, event_store.checkpoints; " +
        ReadModelHandler.CreateTableSql + "; SELECT 0");

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task New_events_wake_the_subscription_without_waiting_for_its_poll()
    {
        // Polling every ten minutes: only a notification can deliver the second event within the deadline.
        await using var running = Start(new SubscriptionOptions { PollInterval = TimeSpan.FromMinutes(10) });
        await store.Appender().AppendAsync("test-contact-n1", "test-contact", ExpectedVersion.Any, [TestEvents.Contact("n1", 1)]);
        await ReadModelAssertions.CaughtUpExactlyOnceAsync(store);

        await store.Appender().AppendAsync("test-contact-n2", "test-contact", ExpectedVersion.Any, [TestEvents.Contact("n2", 1)]);
        await ReadModelAssertions.CaughtUpExactlyOnceAsync(store);
        Assert.Equal(2, await store.ScalarAsync("SELECT count(*) FROM read_model"));
    }

    [Fact]
    public async Task Resetting_a_running_subscription_rebuilds_its_read_model_from_zero()
    {
        await store.Appender().AppendBatchAsync([.. Enumerable.Range(0, 120).Select(i => new StreamAppend(
            $"test-contact-r{i}", "test-contact", ExpectedVersion.Any, [TestEvents.Contact($"r{i}", 1)]))]);
        await using var running = Start(new SubscriptionOptions { BatchSize = 50, PollInterval = TimeSpan.FromMilliseconds(100) });
        await ReadModelAssertions.CaughtUpExactlyOnceAsync(store);

        await new SubscriptionCheckpoints(store.DataSource, TimeProvider.System).ResetAsync("runner", async (transaction, ct) =>
        {
            await using var clear = new NpgsqlCommand("DELETE FROM read_model", transaction.Connection, transaction);
            await clear.ExecuteNonQueryAsync(ct);
        });

        // No new event needed to trigger the rebuild.
        await ReadModelAssertions.CaughtUpExactlyOnceAsync(store);
        Assert.Equal(120, await store.ScalarAsync("SELECT count(*) FROM read_model"));
        Assert.NotEqual(LogPosition.Start, await new SubscriptionCheckpoints(store.DataSource, TimeProvider.System).GetAsync("runner"));
    }

    [Fact]
    public async Task A_subscription_held_back_by_an_open_transaction_warns_naming_the_blocking_backend()
    {
        var logger = new CapturingLogger();
        await using var running = Start(
            new SubscriptionOptions { PollInterval = TimeSpan.FromMilliseconds(50), StallWarningAfter = TimeSpan.Zero }, logger);

        await using var blocker = await store.DataSource.OpenConnectionAsync();
        await using var open = await blocker.BeginTransactionAsync();
        await store.Appender().AppendBatchAsync(open, [new StreamAppend("test-contact-held", "test-contact", ExpectedVersion.Any, [TestEvents.Contact("held", 1)])]);
        await store.Appender().AppendAsync("test-contact-after", "test-contact", ExpectedVersion.Any, [TestEvents.Contact("after", 1)]);

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!logger.Warnings.Any(w => w.Contains($"pid {blocker.ProcessID}", StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.Contains(logger.Warnings, w => w.Contains($"pid {blocker.ProcessID}", StringComparison.Ordinal));
        Assert.Equal(0, await store.ScalarAsync("SELECT count(*) FROM read_model"));

        await open.CommitAsync();
        await ReadModelAssertions.CaughtUpExactlyOnceAsync(store);
    }

    [Fact]
    public async Task A_leader_whose_handler_fails_gives_up_leadership_so_a_standby_takes_over()
    {
        // Separate pools, as in separate processes: the failed leader's idle pooled connection must not keep the lock.
        await using var failingPool = store.Database.CreateDataSource();
        var failing = new SubscriptionRunner(
            "runner", new FailingHandler(), failingPool, store.Reader(failingPool),
            new SubscriptionOptions { RetryDelay = TimeSpan.FromMinutes(10), PollInterval = TimeSpan.FromMilliseconds(50) },
            TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<SubscriptionRunner>.Instance);
        using var stopFailing = new CancellationTokenSource();
        var failingRun = failing.RunAsync(stopFailing.Token);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (failing.State != SubscriptionState.Leading && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        Assert.Equal(SubscriptionState.Leading, failing.State);

        await using var standbyPool = store.Database.CreateDataSource();
        await using (Start(new SubscriptionOptions { LeadershipRetryInterval = TimeSpan.FromMilliseconds(50) }, dataSource: standbyPool))
        {
            await store.Appender().AppendAsync("test-contact-fail", "test-contact", ExpectedVersion.Any, [TestEvents.Contact("fail", 1)]);
            await ReadModelAssertions.CaughtUpExactlyOnceAsync(store);
            Assert.Equal(1, await store.ScalarAsync("SELECT count(*) FROM read_model"));
        }

        await stopFailing.CancelAsync();
        await failingRun;
    }

    [Fact]
    public async Task A_handler_that_commits_the_subscription_transaction_itself_is_stopped_before_the_checkpoint_moves()
    {
        var logger = new CapturingLogger();
        var runner = new SubscriptionRunner(
            "runner", new CommittingHandler(), store.DataSource, store.Reader(), new SubscriptionOptions { RetryDelay = TimeSpan.FromMinutes(10) },
            TimeProvider.System, logger);
        using var stop = new CancellationTokenSource();
        var run = runner.RunAsync(stop.Token);
        await store.Appender().AppendAsync("test-contact-c1", "test-contact", ExpectedVersion.Any, [TestEvents.Contact("c1", 1)]);

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (logger.Errors.IsEmpty && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        await stop.CancelAsync();
        await run;

        // Npgsql refuses the checkpoint save on a completed transaction, so the batch counts as failed.
        Assert.NotEmpty(logger.Errors);
        Assert.Equal(LogPosition.Start, await new SubscriptionCheckpoints(store.DataSource, TimeProvider.System).GetAsync("runner"));
    }

    private RunningSubscription Start(SubscriptionOptions options, ILogger<SubscriptionRunner>? logger = null, NpgsqlDataSource? dataSource = null)
    {
        var runner = new SubscriptionRunner(
            "runner", new ReadModelHandler(), dataSource ?? store.DataSource, store.Reader(dataSource), options, TimeProvider.System,
            logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger<SubscriptionRunner>.Instance);
        var stop = new CancellationTokenSource();
        return new RunningSubscription(runner.RunAsync(stop.Token), stop);
    }

    private sealed class RunningSubscription(Task run, CancellationTokenSource stop) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await run;
            stop.Dispose();
        }
    }

    private sealed class FailingHandler : ISubscriptionHandler
    {
        public Task HandleAsync(IReadOnlyList<RecordedEvent> events, NpgsqlTransaction transaction, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("Read model is broken.");
    }

    private sealed class CommittingHandler : ISubscriptionHandler
    {
        public Task HandleAsync(IReadOnlyList<RecordedEvent> events, NpgsqlTransaction transaction, CancellationToken cancellationToken) =>
            transaction.CommitAsync(cancellationToken);
    }

    private sealed class CapturingLogger : ILogger<SubscriptionRunner>
    {
        public ConcurrentQueue<string> Warnings { get; } = new();

        public ConcurrentQueue<string> Errors { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
                Warnings.Enqueue(formatter(state, exception));
            if (logLevel == LogLevel.Error)
                Errors.Enqueue(formatter(state, exception) + " " + exception?.Message);
        }
    }
}
