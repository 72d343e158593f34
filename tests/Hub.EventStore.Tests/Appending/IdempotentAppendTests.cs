using Hub.EventStore.Appending;

namespace Hub.EventStore.Tests.Appending;

public sealed class IdempotentAppendTests(EventStoreDatabase store) : IClassFixture<EventStoreDatabase>
{
    [Fact]
    public async Task Reappending_the_same_event_ids_writes_nothing_and_reports_them_skipped_on_any_connection_and_after_a_restart()
    {
        const string stream = "test-contact-idem";
        EventData[] events = [TestEvents.Contact("idem", 1), TestEvents.Contact("idem", 2), TestEvents.Contact("idem", 3)];
        var ids = events.Select(e => e.EventId).ToList();

        var first = await store.Appender().AppendAsync(stream, "test-contact", ExpectedVersion.NoStream, events);
        Assert.Equal(3, first.Version);
        Assert.Empty(first.SkippedEventIds);

        // Same store object, as a retry after an indeterminate commit would: the expected version is stale now.
        var retry = await store.Appender().AppendAsync(stream, "test-contact", ExpectedVersion.NoStream, events);
        Assert.Equal(ids, retry.SkippedEventIds);
        Assert.Equal(3, retry.Version);

        // Inside a caller's transaction on one explicit connection.
        await using (var connection = await store.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            var inTransaction = await store.Appender().AppendBatchAsync(
                transaction, [new StreamAppend(stream, "test-contact", ExpectedVersion.Any, events)]);
            Assert.Equal(ids, inTransaction[0].SkippedEventIds);
            await transaction.CommitAsync();
        }

        // "Restart": a new data source and new store objects, nothing kept in memory.
        await using (var restarted = store.Database.CreateDataSource())
        {
            var afterRestart = await store.Appender(restarted).AppendAsync(
                stream, "test-contact", ExpectedVersion.Exactly(1), events);
            Assert.Equal(ids, afterRestart.SkippedEventIds);

            // A redelivered page with one new event: only the new one is written.
            var mixed = await store.Appender(restarted).AppendAsync(
                stream, "test-contact", ExpectedVersion.Exactly(3), [.. events, TestEvents.Contact("idem", 4)]);
            Assert.Equal(ids, mixed.SkippedEventIds);
            Assert.Equal(4, mixed.Version);
        }

        Assert.Equal(4, await store.ScalarAsync("SELECT count(*) FROM event_store.events WHERE stream_id = 'test-contact-idem'"));
        Assert.Equal(4, (await store.Reader().GetStreamAsync(stream))!.Version);
    }

    [Fact]
    public void Deterministic_event_ids_depend_only_on_their_parts()
    {
        Assert.Equal(DeterministicEventId.From("propstreet", "contact-1", "7"), DeterministicEventId.From("propstreet", "contact-1", "7"));
        Assert.NotEqual(DeterministicEventId.From("propstreet", "contact-1", "7"), DeterministicEventId.From("propstreet", "contact-1", "8"));
        Assert.NotEqual(DeterministicEventId.From("a", "bc"), DeterministicEventId.From("ab", "c"));
    }
}
