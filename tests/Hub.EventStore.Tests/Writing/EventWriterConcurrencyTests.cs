using Hub.EventStore.Writing;
using Marten;
using Microsoft.Extensions.Logging;

namespace Hub.EventStore.Tests.Writing;

public sealed class EventWriterConcurrencyTests(EventStoreDatabase store) : IClassFixture<EventStoreDatabase>
{
    [Fact]
    public async Task Sixteen_writers_on_one_stream_write_each_version_once()
    {
        const string stream = "test-contact-race";
        const int writers = 16;
        const int messagesPerWriter = 5;
        var log = new CapturingLogger();
        var writer = new EventWriter(store.Store, TimeProvider.System, log);
        // The stream does not exist yet, so the first round also races on creating it.
        var results = (await Race.AtOnceAsync(writers, async w =>
        {
            var written = new List<WriteResult>();
            for (var m = 0; m < messagesPerWriter; m++)
                written.Add(await writer.WriteAsync($"message-{w}-{m}", [TestEvents.Stream(stream, TestEvents.Contact($"race-{w}", m))]));
            return written;
        })).SelectMany(r => r).ToList();

        Assert.All(results, r => Assert.Equal(new WriteResult(false, 1, 0), r));
        // The races happened and were retried quietly: logged at debug, nothing louder.
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Debug && e.Message.Contains("lost a race", StringComparison.Ordinal));
        Assert.All(log.Entries, e => Assert.Equal(LogLevel.Debug, e.Level));
        await using var session = store.Store.QuerySession();
        var events = await session.Events.FetchStreamAsync(stream);
        Assert.Equal(Enumerable.Range(1, writers * messagesPerWriter).Select(v => (long)v), events.Select(e => e.Version));
        var expectedIds = Enumerable.Range(0, writers)
            .SelectMany(w => Enumerable.Range(0, messagesPerWriter).Select(m => TestEvents.Contact($"race-{w}", m).Id));
        Assert.Equal(expectedIds.Order(), events.Select(e => e.Id).Order());
        Assert.Equal(writers * messagesPerWriter, (await session.Events.FetchStreamStateAsync(stream))!.Version);
    }

    [Fact]
    public async Task Two_messages_creating_the_same_two_hundred_streams_at_once_both_land_once_each()
    {
        // A poll page and a webhook batch touching the same new records, one in the reverse order of the other.
        StreamEvents[] Page(int writer) => [.. Enumerable.Range(0, 200)
            .Select(i => TestEvents.Stream($"test-contact-page-{i}", TestEvents.Contact($"page-{i}", writer)))
            .OrderBy(s => writer == 0 ? s.StreamKey : new string([.. s.StreamKey.Reverse()]), StringComparer.Ordinal)];

        var results = await Race.AtOnceAsync(2, w => store.Writer().WriteAsync($"message-page-{w}", Page(w)));

        Assert.All(results, r => Assert.Equal(new WriteResult(false, 200, 0), r));
        Assert.Equal(400, await store.ScalarAsync("SELECT count(*) FROM hub.mt_events WHERE stream_id LIKE 'test-contact-page-%'"));
        Assert.Equal(200, await store.ScalarAsync("SELECT count(*) FROM hub.mt_streams WHERE id LIKE 'test-contact-page-%' AND version = 2"));
    }

    private sealed class CapturingLogger : ILogger<EventWriter>
    {
        public System.Collections.Concurrent.ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue((logLevel, formatter(state, exception)));
    }
}
