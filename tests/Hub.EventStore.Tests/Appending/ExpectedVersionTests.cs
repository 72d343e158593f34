using Hub.EventStore.Appending;

namespace Hub.EventStore.Tests.Appending;

public sealed class ExpectedVersionTests(EventStoreDatabase store) : IClassFixture<EventStoreDatabase>
{
    [Fact]
    public async Task An_append_without_events_still_checks_the_expected_version()
    {
        const string stream = "test-contact-empty-append";
        var appender = store.Appender();
        await appender.AppendAsync(stream, "test-contact", ExpectedVersion.NoStream, [TestEvents.Contact("empty-append", 1)]);

        var wrong = await Assert.ThrowsAsync<WrongExpectedVersionException>(() => appender.AppendAsync(
            stream, "test-contact", ExpectedVersion.Exactly(9), []));
        Assert.Equal(1, wrong.ActualVersion);
        await Assert.ThrowsAsync<WrongExpectedVersionException>(() => appender.AppendAsync(stream, "test-contact", ExpectedVersion.NoStream, []));

        // In a batch: the empty stream's version guards the other stream's events, all or nothing.
        await Assert.ThrowsAsync<WrongExpectedVersionException>(() => appender.AppendBatchAsync(
        [
            new StreamAppend("test-contact-empty-other", "test-contact", ExpectedVersion.NoStream, [TestEvents.Contact("empty-other", 1)]),
            new StreamAppend(stream, "test-contact", ExpectedVersion.Exactly(2), []),
        ]));
        Assert.Null(await store.Reader().GetStreamAsync("test-contact-empty-other"));

        Assert.Equal(1, (await appender.AppendAsync(stream, "test-contact", ExpectedVersion.Exactly(1), [])).Version);
        Assert.Equal(0, (await appender.AppendAsync("test-contact-empty-none", "test-contact", ExpectedVersion.NoStream, [])).Version);
        Assert.Null(await store.Reader().GetStreamAsync("test-contact-empty-none"));
        Assert.Equal(1, (await store.Reader().GetStreamAsync(stream))!.Version);
    }
}
