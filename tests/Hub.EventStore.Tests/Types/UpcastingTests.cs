using System.Text.Json.Nodes;
using Hub.EventStore.Appending;
using Hub.EventStore.Reading;
using Hub.EventStore.Types;

namespace Hub.EventStore.Tests.Types;

public sealed class UpcastingTests(EventStoreDatabase store) : IClassFixture<EventStoreDatabase>
{
    private sealed record ContactRenamedV1(string ContactId, string FullName);

    private sealed record ContactRenamedV2(string ContactId, string FirstName, string LastName);

    [Fact]
    public async Task An_upcaster_turns_a_stored_v1_event_into_v2_on_read()
    {
        var oldTypes = new EventTypeMap().Register<ContactRenamedV1>("test.contact.renamed", 1);
        await store.Appender(types: oldTypes).AppendAsync("test-contact-up", "test-contact", ExpectedVersion.NoStream,
            [new EventData(DeterministicEventId.From("up", "1"), new ContactRenamedV1("c1", "Ada Lovelace"), new EventMetadata(Source: "test"))]);
        Assert.Equal("test.contact.renamed.v1", await StoredTypeAsync());

        var newTypes = new EventTypeMap()
            .Register<ContactRenamedV2>("test.contact.renamed", 2)
            .AddUpcaster("test.contact.renamed", 1, v1 =>
            {
                var parts = v1["fullName"]!.GetValue<string>().Split(' ', 2);
                return new JsonObject { ["contactId"] = v1["contactId"]!.GetValue<string>(), ["firstName"] = parts[0], ["lastName"] = parts[1] };
            });

        var read = Assert.Single(await store.Reader(types: newTypes).ReadStreamAsync("test-contact-up"));
        Assert.Equal("test.contact.renamed.v2", read.TypeName);
        Assert.Equal(new ContactRenamedV2("c1", "Ada", "Lovelace"), read.Data);
        Assert.Equal("test.contact.renamed.v1", await StoredTypeAsync());
    }

    [Fact]
    public async Task Metadata_and_the_recorded_time_come_back_with_the_event()
    {
        var before = DateTimeOffset.UtcNow.AddMinutes(-1);
        await store.Appender().AppendAsync("test-contact-meta", "test-contact", ExpectedVersion.NoStream, [TestEvents.Contact("meta", 1)]);

        var read = (await store.Reader().ReadLastEventAsync("test-contact-meta"))!;
        Assert.Equal(new EventMetadata("corr-1", "cause-1", "test"), read.Metadata);
        Assert.Equal("test.contact.observed.v1", read.TypeName);
        Assert.Equal(new ContactObserved("meta", 1), read.Data);
        Assert.InRange(read.RecordedAt, before, DateTimeOffset.UtcNow.AddMinutes(1));
    }

    [Fact]
    public void Types_are_named_by_registration_not_by_clr_name()
    {
        var types = new EventTypeMap().Register<ContactRenamedV2>("test.contact.renamed", 2);
        Assert.Equal("test.contact.renamed.v2", types.TypeNameOf(typeof(ContactRenamedV2)));
        Assert.Throws<InvalidOperationException>(() => types.TypeNameOf(typeof(ContactRenamedV1)));
    }


    private async Task<string> StoredTypeAsync()
    {
        await using var command = store.DataSource.CreateCommand("SELECT type FROM event_store.events WHERE stream_id = 'test-contact-up'");
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
