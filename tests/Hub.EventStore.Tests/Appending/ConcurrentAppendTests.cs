using System.Collections.Concurrent;
using Hub.EventStore.Appending;

namespace Hub.EventStore.Tests.Appending;

public sealed class ConcurrentAppendTests(EventStoreDatabase store) : IClassFixture<EventStoreDatabase>
{
    [Fact]
    public async Task Concurrent_appends_to_one_stream_write_each_version_exactly_once_and_losers_learn_the_actual_version()
    {
        const int writers = 16;
        const int eventsPerWriter = 5;
        var appender = store.Appender();
        var firstRoundLosers = new ConcurrentBag<long>();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            await start.Task;
            long known = 0;
            var written = 0;
            var firstRound = true;
            while (written < eventsPerWriter)
            {
                try
                {
                    var result = await appender.AppendAsync(
                        "test-contact-race", "test-contact", known == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(known),
                        [TestEvents.Contact($"writer{w}", written)]);
                    known = result.Version;
                    written++;
                }
                catch (WrongExpectedVersionException ex)
                {
                    Assert.Equal("test-contact-race", ex.StreamId);
                    // Streams only grow, so the actual version is always ahead of what this writer knew.
                    Assert.True(ex.ActualVersion > known);
                    if (firstRound)
                        firstRoundLosers.Add(ex.ActualVersion);
                    known = ex.ActualVersion;
                }

                firstRound = false;
            }
        })).ToList();
        start.SetResult();
        await Task.WhenAll(tasks);

        // Everyone started with "no stream": exactly one won, and every loser was told the stream already had events.
        Assert.Equal(writers - 1, firstRoundLosers.Count);
        Assert.All(firstRoundLosers, actual => Assert.InRange(actual, 1, writers * eventsPerWriter));

        var events = await store.Reader().ReadStreamAsync("test-contact-race", maxCount: 1000);
        Assert.Equal(Enumerable.Range(1, writers * eventsPerWriter).Select(v => (long)v), events.Select(e => e.StreamVersion));
        Assert.Equal(writers * eventsPerWriter, events.Select(e => e.EventId).Distinct().Count());
        Assert.Equal(writers * eventsPerWriter, (await store.Reader().GetStreamAsync("test-contact-race"))!.Version);
    }

    [Fact]
    public async Task Two_large_batches_creating_the_same_new_streams_at_once_both_land_once_each()
    {
        // Both take the COPY path and race to create 200 streams; the loser retries and appends after the winner.
        static List<StreamAppend> Page(string writer) => [.. Enumerable.Range(0, 200).Select(i => new StreamAppend(
            $"test-contact-new-{i}", "test-contact", ExpectedVersion.Any, [TestEvents.Contact($"new-{i}-{writer}", 1)]))];

        var appender = store.Appender();
        var results = await Task.WhenAll(
            Task.Run(() => appender.AppendBatchAsync(Page("a"))), Task.Run(() => appender.AppendBatchAsync(Page("b"))));

        Assert.All(results.SelectMany(r => r), r => Assert.Empty(r.SkippedEventIds));
        Assert.Equal(400, await store.ScalarAsync("SELECT count(*) FROM event_store.events WHERE stream_id LIKE 'test-contact-new-%'"));
        Assert.Equal(200, await store.ScalarAsync("SELECT count(*) FROM event_store.streams WHERE id LIKE 'test-contact-new-%' AND version = 2"));
    }

    [Theory]
    [InlineData(1)] // one function call
    [InlineData(200)] // prepare + binary COPY
    public async Task A_batch_with_one_wrong_expected_version_writes_nothing_to_any_stream(int otherStreams)
    {
        var appender = store.Appender();
        var stream = $"test-contact-b{otherStreams}";
        await appender.AppendAsync(stream, "test-contact", ExpectedVersion.NoStream, [TestEvents.Contact(stream, 1)]);

        var ex = await Assert.ThrowsAsync<WrongExpectedVersionException>(() => appender.AppendBatchAsync(
        [
            .. Enumerable.Range(0, otherStreams).Select(i => new StreamAppend(
                $"{stream}-other-{i}", "test-contact", ExpectedVersion.NoStream, [TestEvents.Contact($"{stream}-other-{i}", 1)])),
            new StreamAppend(stream, "test-contact", ExpectedVersion.Exactly(5), [TestEvents.Contact(stream, 2)]),
        ]));

        Assert.Equal(stream, ex.StreamId);
        Assert.Equal(1, ex.ActualVersion);
        Assert.Null(await store.Reader().GetStreamAsync($"{stream}-other-0"));
        Assert.Single(await store.Reader().ReadStreamAsync(stream));
    }
}
