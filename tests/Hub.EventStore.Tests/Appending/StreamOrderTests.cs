using System.Collections.Concurrent;
using Hub.EventStore.Appending;
using Hub.EventStore.Reading;
using Npgsql;

namespace Hub.EventStore.Tests.Appending;

/// <summary>The global log must deliver every stream's events in version order, whatever order writers got their ids in.</summary>
public sealed class StreamOrderTests(EventStoreDatabase store) : IClassFixture<EventStoreDatabase>
{
    [Fact]
    public async Task Racing_multi_stream_batches_over_shared_streams_reach_the_global_log_in_each_streams_version_order()
    {
        const int streams = 20;
        const int writers = 8;
        const int batchesPerWriter = 30;
        const int streamsPerBatch = 6;
        static string Stream(int s) => $"test-order-{s:D2}";
        static bool Shared(RecordedEvent e) => e.StreamId.Length == "test-order-00".Length && e.StreamId.StartsWith("test-order-", StringComparison.Ordinal);

        var appender = store.Appender();
        // Half the streams exist first: the reported interleaving needs their rows to be locked (and waited on) in a
        // batch. The other half are created during the race, by whichever batch gets there first.
        await appender.AppendBatchAsync([.. Enumerable.Range(0, streams).Where(s => s % 2 == 0).Select(s => new StreamAppend(
            Stream(s), "test-contact", ExpectedVersion.NoStream, [TestEvents.Contact($"order-{s}", -1)]))]);

        var committed = new ConcurrentDictionary<Guid, byte>();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            await start.Task;
            var random = new Random(w);
            for (var b = 0; b < batchesPerWriter; b++)
            {
                var batch = Enumerable.Range(0, streams).OrderBy(_ => random.Next()).Take(streamsPerBatch)
                    .Select(s => new StreamAppend(Stream(s), "test-contact", ExpectedVersion.Any, [TestEvents.Contact($"order-w{w}-b{b}", s)]))
                    .ToList();
                while (true)
                {
                    try
                    {
                        await appender.AppendBatchAsync(batch);
                        break;
                    }
                    catch (PostgresException ex) when (ex.IsTransient)
                    {
                        // The appender's own retries ran out under contention; the ids make another try idempotent.
                    }
                }

                foreach (var e in batch.SelectMany(a => a.Events))
                    committed[e.EventId] = 0;
            }
        })).ToList();
        start.SetResult();
        await Task.WhenAll(tasks);

        // Wait for as many of these streams' events as the table holds (other tests share this database's log).
        var stored = await store.ScalarAsync("SELECT count(*) FROM event_store.events WHERE stream_id LIKE 'test-order-__'");
        Assert.Equal((streams / 2) + (writers * batchesPerWriter * streamsPerBatch), stored);
        var log = (await ReadWholeLogAsync(until: read => read.Count(Shared) == stored)).Where(Shared).ToList();

        Assert.Equal(log.Count, log.Select(e => e.EventId).Distinct().Count());
        Assert.Equal(committed.Keys.Order(), log.Where(e => committed.ContainsKey(e.EventId)).Select(e => e.EventId).Order());
        foreach (var stream in log.GroupBy(e => e.StreamId))
        {
            var versions = stream.Select(e => e.StreamVersion).ToList();
            var outOfOrder = versions.Zip(versions.Skip(1)).Count(pair => pair.Second <= pair.First);
            Assert.True(outOfOrder == 0, $"{stream.Key}: {outOfOrder} events came after a higher version in the global log: {string.Join(",", versions)}");
        }
    }

    [Theory]
    [InlineData(1)] // one function call
    [InlineData(100)] // prepare + binary COPY
    public async Task An_append_in_a_transaction_that_got_its_id_before_another_writer_appended_to_the_stream_is_refused_as_retryable_and_lands_in_order_on_retry(int events)
    {
        var stream = $"test-order-late-{events}";
        var appender = store.Appender();
        var mine = Enumerable.Range(0, events).Select(i => TestEvents.Contact($"late-{events}-mine", i)).ToArray();
        var other = TestEvents.Contact($"late-{events}-other", 1);

        await using var connection = await store.DataSource.OpenConnectionAsync();
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            // As in a subscription handler, whose checkpoint row lock gives the transaction its id before it appends.
            await using (var assign = new NpgsqlCommand("SELECT pg_current_xact_id()", connection, transaction))
                await assign.ExecuteScalarAsync();

            var theirs = await appender.AppendAsync(stream, "test-contact", ExpectedVersion.NoStream, [other]);
            Assert.Equal(1, theirs.Version);

            var refused = await Assert.ThrowsAsync<StreamOrderConflictException>(() => appender.AppendBatchAsync(
                transaction, [new StreamAppend(stream, "test-contact", ExpectedVersion.Any, mine)]));
            Assert.Equal(stream, refused.StreamId);
            Assert.Equal(PostgresErrorCodes.SerializationFailure, Assert.IsType<PostgresException>(refused.InnerException).SqlState);
            await transaction.RollbackAsync();
        }

        Assert.Equal([other.EventId], (await store.Reader().ReadStreamAsync(stream)).Select(e => e.EventId));
        Assert.Equal(1, (await store.Reader().GetStreamAsync(stream))!.Version);

        await using (var retry = await connection.BeginTransactionAsync())
        {
            await using (var assign = new NpgsqlCommand("SELECT pg_current_xact_id()", connection, retry))
                await assign.ExecuteScalarAsync();
            var result = await appender.AppendBatchAsync(retry, [new StreamAppend(stream, "test-contact", ExpectedVersion.Exactly(1), mine)]);
            Assert.Equal(1 + events, result[0].Version);
            await retry.CommitAsync();
        }

        var log = (await ReadWholeLogAsync(until: read => read.Exists(e => e.EventId == mine[^1].EventId))).Where(e => e.StreamId == stream).ToList();
        Assert.Equal(Enumerable.Range(1, 1 + events).Select(v => (long)v), log.Select(e => e.StreamVersion));
        Assert.Equal([other.EventId, .. mine.Select(e => e.EventId)], log.Select(e => e.EventId));
    }

    /// <summary>
    /// Reads the global log from the start until <paramref name="until"/> holds for what was read; the watermark may
    /// hold events back for a while behind other tests' transactions (xids are cluster-wide).
    /// </summary>
    private async Task<List<RecordedEvent>> ReadWholeLogAsync(Func<List<RecordedEvent>, bool> until)
    {
        var log = new List<RecordedEvent>();
        var position = LogPosition.Start;
        while (!until(log))
        {
            var batch = await store.Reader().ReadAllAsync(position, 1000);
            log.AddRange(batch);
            if (batch.Count > 0)
                position = batch[^1].LogPosition;
            else
                await Task.Delay(20);
        }

        return log;
    }
}
