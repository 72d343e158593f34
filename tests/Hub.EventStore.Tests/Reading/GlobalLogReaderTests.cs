using System.Collections.Concurrent;
using Hub.EventStore.Appending;
using Hub.EventStore.Reading;

namespace Hub.EventStore.Tests.Reading;

public sealed class GlobalLogReaderTests(EventStoreDatabase store) : IClassFixture<EventStoreDatabase>
{
    [Fact]
    public async Task Reader_sees_every_committed_event_exactly_once_never_an_aborted_one_and_catches_up_after_a_long_transaction()
    {
        var appender = store.Appender();
        var committed = new ConcurrentDictionary<Guid, byte>();
        var aborted = new ConcurrentDictionary<Guid, byte>();

        // Opened first, so its events get low positions while later transactions commit past it.
        await using var longConnection = await store.DataSource.OpenConnectionAsync();
        await using var longTransaction = await longConnection.BeginTransactionAsync();
        EventData[] held = [TestEvents.Contact("long", 1), TestEvents.Contact("long", 2)];
        await appender.AppendBatchAsync(longTransaction, [new StreamAppend("test-contact-long", "test-contact", ExpectedVersion.Any, held)]);

        var seen = new List<Guid>();
        int SeenCount()
        {
            lock (seen)
                return seen.Count;
        }

        using var reading = new CancellationTokenSource();
        var reader = Task.Run(async () =>
        {
            var position = LogPosition.Start;
            while (!reading.IsCancellationRequested)
            {
                var batch = await store.Reader().ReadAllAsync(position, 50);
                foreach (var e in batch)
                {
                    Assert.True(e.LogPosition > position);
                    lock (seen)
                        seen.Add(e.EventId);
                    position = e.LogPosition;
                }

                if (batch.Count == 0)
                    await Task.Delay(10);
            }
        });

        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            for (var i = 0; i < 40; i++)
            {
                // Mostly a few events (one function call); sometimes a hundred (prepare + binary COPY).
                var events = Enumerable.Range(0, random.NextDouble() < 0.1 ? 100 : random.Next(1, 4))
                    .Select(k => TestEvents.Contact($"w{w}-{i}", k)).ToArray();
                await using var connection = await store.DataSource.OpenConnectionAsync();
                await using var transaction = await connection.BeginTransactionAsync();
                await appender.AppendBatchAsync(transaction, [new StreamAppend($"test-contact-w{w}-{i % 5}", "test-contact", ExpectedVersion.Any, events)]);
                if (random.NextDouble() < 0.3)
                {
                    await transaction.RollbackAsync();
                    foreach (var e in events)
                        aborted[e.EventId] = 0;
                }
                else
                {
                    await transaction.CommitAsync();
                    foreach (var e in events)
                        committed[e.EventId] = 0;
                }
            }
        })).ToList();
        await Task.WhenAll(writers);

        // Held open for several seconds while the reader keeps polling behind it. Every writer's transaction began
        // after it, so nothing may be handed out yet: reading past it would skip its lower positions.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(0, SeenCount());
        await longTransaction.CommitAsync();
        foreach (var e in held)
            committed[e.EventId] = 0;

        // Generous deadline; the test fails only if the reader never catches up.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (SeenCount() < committed.Count && DateTime.UtcNow < deadline && !reader.IsCompleted)
            await Task.Delay(50);
        await reading.CancelAsync();
        await reader;

        Assert.NotEmpty(aborted);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.DoesNotContain(seen, aborted.ContainsKey);
        Assert.Equal(committed.Keys.Order(), seen.Order());
    }
}
