using Hub.EventStore.Writing;
using Marten;

namespace Hub.EventStore.Tests.Writing;

public sealed class EventWriterIdempotencyTests(EventStoreDatabase store) : IClassFixture<EventStoreDatabase>
{
    [Fact]
    public async Task A_redelivered_message_appends_nothing_even_through_a_new_store_instance()
    {
        StreamEvents[] message =
        [
            TestEvents.Stream("test-contact-redelivered-1", TestEvents.Contact("redelivered-1", 1), TestEvents.Contact("redelivered-1", 2)),
            TestEvents.Stream("test-contact-redelivered-2", TestEvents.Contact("redelivered-2", 1)),
        ];
        Assert.Equal(new WriteResult(false, 3, 0), await store.Writer().WriteAsync("message-redelivered", message));
        var events = await store.ScalarAsync("SELECT count(*) FROM hub.mt_events");

        // A restarted process: a new pool and a new store, nothing kept in memory.
        await using var restarted = await store.OpenOtherProcessAsync();
        Assert.Same(WriteResult.Duplicate, await restarted.Writer.WriteAsync("message-redelivered", message));

        Assert.Equal(events, await store.ScalarAsync("SELECT count(*) FROM hub.mt_events"));
        Assert.Equal(1, await store.ScalarAsync("SELECT count(*) FROM hub.mt_doc_processedmessage WHERE id = 'message-redelivered'"));
    }

    [Fact]
    public async Task Events_another_message_already_stored_are_left_out_and_the_rest_appended()
    {
        const string stream = "test-contact-overlap";
        PendingEvent[] webhook = [TestEvents.Contact("overlap", 1), TestEvents.Contact("overlap", 2)];
        Assert.Equal(new WriteResult(false, 2, 0), await store.Writer().WriteAsync("message-webhook", [TestEvents.Stream(stream, webhook)]));

        // The poll saw the same two source versions and a third; it runs in another process.
        await using var poller = await store.OpenOtherProcessAsync();
        var poll = await poller.Writer.WriteAsync("message-poll", [TestEvents.Stream(stream, [.. webhook, TestEvents.Contact("overlap", 3)])]);

        Assert.Equal(new WriteResult(false, 1, 2), poll);
        await using var session = store.Store.QuerySession();
        var events = await session.Events.FetchStreamAsync(stream);
        Assert.Equal([1L, 2L, 3L], events.Select(e => e.Version));
        Assert.Equal(Enumerable.Range(1, 3).Select(r => TestEvents.Contact("overlap", r).Id), events.Select(e => e.Id));
    }

    [Fact]
    public async Task Two_messages_racing_with_overlapping_event_ids_both_succeed_and_store_each_id_once()
    {
        await using var otherProcess = await store.OpenOtherProcessAsync();
        var writers = new[] { store.Writer(), otherProcess.Writer };

        for (var round = 0; round < 10; round++)
        {
            var stream = $"test-contact-overlap-race-{round}";
            PendingEvent[] shared = [.. Enumerable.Range(1, 3).Select(r => TestEvents.Contact($"overlap-race-{round}", r))];
            var results = await Race.AtOnceAsync(2, w => writers[w].WriteAsync(
                $"message-overlap-race-{round}-{w}", [TestEvents.Stream(stream, [.. shared, TestEvents.Contact($"overlap-race-{round}-own-{w}", 1)])]));

            Assert.All(results, r => Assert.False(r.DuplicateMessage));
            Assert.All(results, r => Assert.Equal(4, r.Appended + r.AlreadyStored));
            Assert.Equal(5, results.Sum(r => r.Appended));
            await using var session = store.Store.QuerySession();
            var events = await session.Events.FetchStreamAsync(stream);
            Assert.Equal([1L, 2L, 3L, 4L, 5L], events.Select(e => e.Version));
            Assert.Equal(5, events.Select(e => e.Id).Distinct().Count());
        }
    }

    [Fact]
    public async Task An_event_repeated_within_one_message_is_stored_once()
    {
        // A webhook batch can carry two notifications of the same record version: one deterministic id, twice.
        var repeated = TestEvents.Contact("repeated", 1);
        var result = await store.Writer().WriteAsync("message-repeated", [
            TestEvents.Stream("test-contact-repeated", repeated, TestEvents.Contact("repeated", 2)),
            TestEvents.Stream("test-contact-repeated", repeated),
        ]);

        Assert.Equal(new WriteResult(false, 2, 1), result);
        await using var session = store.Store.QuerySession();
        var events = await session.Events.FetchStreamAsync("test-contact-repeated");
        Assert.Equal([repeated.Id, TestEvents.Contact("repeated", 2).Id], events.Select(e => e.Id));
    }

    [Fact]
    public async Task A_message_delivered_twice_at_once_is_written_once_and_the_other_delivery_is_a_duplicate()
    {
        await using var otherProcess = await store.OpenOtherProcessAsync();
        var writers = new[] { store.Writer(), otherProcess.Writer };

        for (var round = 0; round < 10; round++)
        {
            StreamEvents[] message = [TestEvents.Stream($"test-contact-twice-{round}", TestEvents.Contact($"twice-{round}", 1), TestEvents.Contact($"twice-{round}", 2))];
            var results = await Race.AtOnceAsync(2, w => writers[w].WriteAsync($"message-twice-{round}", message));

            Assert.Equal([WriteResult.Duplicate, new WriteResult(false, 2, 0)], results.OrderBy(r => r.Appended));
            Assert.Equal(2, await store.ScalarAsync($"SELECT count(*) FROM hub.mt_events WHERE stream_id = 'test-contact-twice-{round}'"));
        }
    }
}
