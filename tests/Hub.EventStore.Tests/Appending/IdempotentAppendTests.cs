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

    [Theory]
    [InlineData(1)] // one function call
    [InlineData(100)] // prepare + binary COPY
    public async Task Reusing_an_event_id_in_another_stream_is_refused_as_a_conflict_naming_both_streams_and_writes_nothing(int events)
    {
        var original = $"test-contact:reuse-{events}:a";
        var other = $"test-contact:reuse-{events}:b";
        var reused = TestEvents.Contact($"reuse-{events}", 1);
        await store.Appender().AppendAsync(original, "test-contact", ExpectedVersion.NoStream, [reused]);

        // The reused id comes last, after new events that would otherwise be written to the new stream.
        var page = Enumerable.Range(2, events - 1).Select(i => TestEvents.Contact($"reuse-{events}-b", i)).Append(reused).ToArray();
        var ex = await Assert.ThrowsAsync<EventIdConflictException>(() => store.Appender().AppendAsync(
            other, "test-contact", ExpectedVersion.NoStream, page));

        Assert.Equal(reused.EventId, ex.EventId);
        Assert.Equal(original, ex.StoredStreamId);
        Assert.Equal(other, ex.RequestedStreamId);
        Assert.Null(await store.Reader().GetStreamAsync(other));
        Assert.Empty(await store.Reader().ReadStreamAsync(other));
        Assert.Equal(1, (await store.Reader().GetStreamAsync(original))!.Version);
    }

    [Theory]
    [InlineData(1)] // one function call
    [InlineData(100)] // prepare + binary COPY
    public async Task A_repeated_append_reports_the_version_the_original_produced_even_after_the_stream_moved_on(int events)
    {
        var stream = $"test-contact-repeat-{events}";
        var page = Enumerable.Range(1, events).Select(i => TestEvents.Contact($"repeat-{events}", i)).ToArray();
        var first = await store.Appender().AppendAsync(stream, "test-contact", ExpectedVersion.NoStream, page);
        Assert.Equal(events, first.Version);

        var later = await store.Appender().AppendAsync(stream, "test-contact", ExpectedVersion.Any, [TestEvents.Contact($"repeat-{events}-later", 1)]);
        Assert.Equal(events + 1, later.Version);

        var retry = await store.Appender().AppendAsync(stream, "test-contact", ExpectedVersion.NoStream, page);
        Assert.Equal(events, retry.Version);
        Assert.Equal(page.Select(e => e.EventId), retry.SkippedEventIds);

        // Part of the page again (e.g. a redelivered prefix): the highest version among those events.
        var prefix = await store.Appender().AppendAsync(stream, "test-contact", ExpectedVersion.NoStream, [page[0]]);
        Assert.Equal(1, prefix.Version);
        Assert.Equal(events + 1, (await store.Reader().GetStreamAsync(stream))!.Version);
    }

    [Fact]
    public void Deterministic_event_ids_depend_only_on_their_parts()
    {
        Assert.Equal(DeterministicEventId.From("propstreet", "contact-1", "7"), DeterministicEventId.From("propstreet", "contact-1", "7"));
        Assert.NotEqual(DeterministicEventId.From("propstreet", "contact-1", "7"), DeterministicEventId.From("propstreet", "contact-1", "8"));
        Assert.NotEqual(DeterministicEventId.From("a", "bc"), DeterministicEventId.From("ab", "c"));
    }
}
