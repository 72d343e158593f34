using Hub.EventStore.TestWorker;
using Hub.EventStore.Writing;
using JasperFx.Events.Projections;
using Marten;

namespace Hub.EventStore.Tests.Writing;

public sealed class EventTypeNamesTests(EventStoreDatabase store) : IClassFixture<EventStoreDatabase>
{
    [Fact]
    public async Task Stored_events_carry_their_mapped_versioned_name_never_a_clr_name()
    {
        await store.Writer().WriteAsync("message-named", [TestEvents.Stream("test-contact-named", TestEvents.Contact("named", 1))]);

        Assert.Equal(TestEventStore.ContactObservedName, await store.TextAsync(
            "SELECT string_agg(DISTINCT type, ',') FROM hub.mt_events WHERE stream_id = 'test-contact-named'"));
    }

    [Fact]
    public async Task Events_stored_under_a_name_are_read_into_whatever_class_now_carries_that_name()
    {
        const string stream = "test-contact-renamed-class";
        await using (var v1 = await store.OpenOtherProcessAsync(o => o.Map<ContactObservedV1>("contact.observed.v1")))
            await v1.Writer.WriteAsync("message-renamed-class", [TestEvents.Stream(stream, new PendingEvent(Guid.NewGuid(), new ContactObservedV1("c1", "Ada Lovelace")))]);

        await using var renamed = await store.OpenOtherProcessAsync(o => o.Map<ContactSeenV1>("contact.observed.v1"));
        await using var session = renamed.Store.QuerySession();
        var read = Assert.Single(await session.Events.FetchStreamAsync(stream));
        Assert.Equal(new ContactSeenV1("c1", "Ada Lovelace"), read.Data);
    }

    [Fact]
    public async Task Writing_an_event_type_without_a_versioned_name_is_refused_and_stores_nothing()
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => store.Writer().WriteAsync(
            "message-unnamed", [TestEvents.Stream("test-contact-unnamed", TestEvents.Contact("unnamed", 1), new PendingEvent(Guid.NewGuid(), new ContactSeenV1("c1", "Ada Lovelace")))]));

        Assert.Contains(nameof(ContactSeenV1), refused.Message, StringComparison.Ordinal);
        Assert.Contains("EventTypeNames.Map", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, await store.ScalarAsync("SELECT count(*) FROM hub.mt_events WHERE stream_id = 'test-contact-unnamed'"));
        Assert.Equal(0, await store.ScalarAsync("SELECT count(*) FROM hub.mt_doc_processedmessage WHERE id = 'message-unnamed'"));
    }

    [Theory]
    [InlineData("ContactObserved")]
    [InlineData("contact.observed")]
    [InlineData("contact.observed.v0")]
    [InlineData("Contact.Observed.v1")]
    public void A_type_name_without_a_lowercase_dotted_name_and_version_cannot_be_mapped(string name)
    {
        var options = new StoreOptions();
        var refused = Assert.Throws<ArgumentException>(() => options.Map<ContactObservedV1>(name));
        Assert.Contains(name, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stored_v1_event_is_read_and_projected_as_v2_through_its_upcaster()
    {
        const string stream = "test-contact-upcast";
        await using (var v1 = await store.OpenOtherProcessAsync(o => o.Map<ContactObservedV1>("contact.observed.v1")))
            await v1.Writer.WriteAsync("message-upcast-1", [TestEvents.Stream(stream, new PendingEvent(Guid.NewGuid(), new ContactObservedV1("c1", "Ada Lovelace")))]);

        await using var v2 = await store.OpenOtherProcessAsync(o =>
        {
            o.MapV2WithUpcasterFromV1();
            o.Projections.Add<ContactCardProjection>(ProjectionLifecycle.Async);
        });
        await v2.Writer.WriteAsync("message-upcast-2", [TestEvents.Stream(stream, new PendingEvent(Guid.NewGuid(), new ContactObservedV2("c1", "Ada", "King")))]);

        await using (var session = v2.Store.QuerySession())
        {
            var read = await session.Events.FetchStreamAsync(stream);
            Assert.Equal(new ContactObservedV2("c1", "Ada", "Lovelace"), read[0].Data);
            Assert.Equal(new ContactObservedV2("c1", "Ada", "King"), read[1].Data);
            Assert.Equal(new ContactCard(stream, "Ada", "King", 2), await session.Events.AggregateStreamAsync<ContactCard>(stream));
        }

        using (var daemon = await v2.Store.BuildProjectionDaemonAsync())
            await daemon.RebuildProjectionAsync<ContactCardProjection>(TimeSpan.FromMinutes(1), CancellationToken.None);
        await using (var session = v2.Store.QuerySession())
            Assert.Equal(new ContactCard(stream, "Ada", "King", 2), await session.LoadAsync<ContactCard>(stream));

        // Upcasting happens on read; what is stored stays as it was written.
        Assert.Equal("contact.observed.v1,contact.observed.v2", await store.TextAsync(
            $"SELECT string_agg(type, ',' ORDER BY version) FROM hub.mt_events WHERE stream_id = '{stream}'"));
    }
}
