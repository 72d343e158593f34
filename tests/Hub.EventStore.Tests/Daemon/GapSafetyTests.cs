using System.Collections.Concurrent;
using Hub.EventStore.TestWorker;
using Marten;
using Marten.Events;
using Marten.Services;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Hub.EventStore.Tests.Daemon;

public sealed class GapSafetyTests(EventStoreDatabase store) : IClassFixture<EventStoreDatabase>
{
    [Fact]
    public async Task Every_committed_event_is_projected_and_delivered_once_in_stream_order_none_rolled_back_and_none_past_an_open_transaction()
    {
        using var host = TestEventStore.CreateHostBuilder(store.Database.ConnectionString).Build();
        await host.StartAsync();
        try
        {
            // Committed before anything is held open: proves the daemon is running when nothing else gets through.
            var committed = new ConcurrentDictionary<Guid, byte>();
            var before = Enumerable.Range(1, 5).Select(r => TestEvents.Contact("gap-before", r)).ToArray();
            await store.Writer().WriteAsync("message-gap-before", [TestEvents.Stream("test-contact-gap-before", before)]);
            foreach (var e in before)
                committed[e.Id] = 0;
            await DaemonAssertions.CaughtUpExactlyOnceAsync(store);

            // Opened first, so its events take the lowest sequence numbers while everything after it commits.
            await using var heldConnection = await store.DataSource.OpenConnectionAsync();
            await using var held = await heldConnection.BeginTransactionAsync();
            var heldEvents = await AppendAsync(held, "test-contact-gap-held", "gap-held", 2);
            long heldFrom;
            await using (var first = new NpgsqlCommand("SELECT min(seq_id) FROM hub.mt_events WHERE stream_id = 'test-contact-gap-held'", heldConnection, held))
                heldFrom = (long)(await first.ExecuteScalarAsync())!;

            var rolledBack = new ConcurrentDictionary<Guid, byte>();
            await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
            {
                var random = new Random(w);
                for (var i = 0; i < 25; i++)
                {
                    await using var connection = await store.DataSource.OpenConnectionAsync();
                    await using var transaction = await connection.BeginTransactionAsync();
                    var ids = await AppendAsync(transaction, $"test-contact-gap-w{w}-{i % 4}", $"gap-w{w}-{i}", random.Next(1, 4));
                    var target = random.NextDouble() < 0.3 ? rolledBack : committed;
                    if (target == rolledBack)
                        await transaction.RollbackAsync();
                    else
                        await transaction.CommitAsync();
                    foreach (var id in ids)
                        target[id] = 0;
                }
            })));

            // Held past the daemon's stale-gap threshold (3 s): a daemon that skipped the held transaction's gap would
            // hand out the later events now, and the held ones would be lost to it once they commit.
            await Task.Delay(TimeSpan.FromSeconds(5));
            Assert.Equal(0, await store.ScalarAsync($"SELECT count(*) FROM hub.delivered_events WHERE seq_id >= {heldFrom}"));
            Assert.Equal(0, await store.ScalarAsync("SELECT count(*) FROM hub.mt_doc_streamtally WHERE id <> 'test-contact-gap-before'"));
            Assert.All(await DaemonAssertions.CommittedProgressAsync(store), committed => Assert.InRange(committed, 1, heldFrom - 1));

            await held.CommitAsync();
            foreach (var id in heldEvents)
                committed[id] = 0;
            await DaemonAssertions.CaughtUpExactlyOnceAsync(store);

            // The log (which the projection and the subscription now equal) is exactly what committed.
            Assert.NotEmpty(rolledBack);
            await using var session = store.Store.QuerySession();
            var logged = await session.Events.QueryAllRawEvents().Select(e => e.Id).ToListAsync();
            Assert.Equal(committed.Keys.Order(), logged.Order());
        }
        finally
        {
            await host.StopAsync();
        }
    }

    /// <summary>Appends in the caller's transaction, so a rollback really gives back consumed sequence numbers.</summary>
    private async Task<Guid[]> AppendAsync(NpgsqlTransaction transaction, string stream, string contactId, int count)
    {
        var events = Enumerable.Range(1, count).Select(r => TestEvents.Contact(contactId, r)).ToArray();
        var graph = (EventGraph)store.Store.Options.Events;
        await using var session = store.Store.LightweightSession(SessionOptions.ForTransaction(transaction));
        session.Events.Append(stream, events.Select(e =>
        {
            var built = graph.BuildEvent(e.Data);
            built.Id = e.Id;
            return (object)built;
        }).ToArray());
        await session.SaveChangesAsync();
        return [.. events.Select(e => e.Id)];
    }
}
