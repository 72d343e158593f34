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
    public async Task A_redelivered_page_of_hundreds_of_records_skips_what_exists_and_writes_only_the_new_events()
    {
        static List<StreamAppend> Page(int records, int revision) => [.. Enumerable.Range(0, records).Select(i => new StreamAppend(
            $"test-contact-page-{i}", "test-contact", ExpectedVersion.Any, [.. Enumerable.Range(1, revision).Select(r => TestEvents.Contact($"page-{i}", r))]))];

        var first = await store.Appender().AppendBatchAsync(Page(300, 1));
        Assert.All(first, r => Assert.Equal(1, r.Version));

        // Same page again, after a "restart": every event skipped, nothing written.
        await using var restarted = store.Database.CreateDataSource();
        var again = await store.Appender(restarted).AppendBatchAsync(Page(300, 1));
        Assert.All(again, r => Assert.Equal(1, r.Version));
        Assert.Equal(300, again.Sum(r => r.SkippedEventIds.Count));

        // Next page: each record carries its old event and a new one; only the new ones are written.
        var next = await store.Appender(restarted).AppendBatchAsync(Page(300, 2));
        Assert.All(next, r => Assert.Equal(2, r.Version));
        Assert.All(next, r => Assert.Single(r.SkippedEventIds));

        Assert.Equal(600, await store.ScalarAsync("SELECT count(*) FROM event_store.events WHERE stream_id LIKE 'test-contact-page-%'"));
        Assert.Equal(600, await store.ScalarAsync("SELECT sum(version) FROM event_store.streams WHERE id LIKE 'test-contact-page-%'"));
        var stream = await store.Reader().ReadStreamAsync("test-contact-page-7");
        Assert.Equal([1L, 2L], stream.Select(e => e.StreamVersion));
    }

    [Fact]
    public void Deterministic_event_ids_depend_only_on_their_parts()
    {
        Assert.Equal(DeterministicEventId.From("propstreet", "contact-1", "7"), DeterministicEventId.From("propstreet", "contact-1", "7"));
        Assert.NotEqual(DeterministicEventId.From("propstreet", "contact-1", "7"), DeterministicEventId.From("propstreet", "contact-1", "8"));
        Assert.NotEqual(DeterministicEventId.From("a", "bc"), DeterministicEventId.From("ab", "c"));
    }
}
