using Hub.EventStore.Writing;
using Hub.ServiceDefaults.Postgres;
using JasperFx;
using Marten;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Hub.EventStore.Tests.Writing;

/// <summary>
/// Streams written at the version their decision read skip the event-id look-up (ADR 0009); what the look-up
/// guaranteed must still hold, and so must appends on connections whose prepared statements outlive a schema change.
/// </summary>
public sealed class EventWriterVersionedStreamTests(EventStoreDatabase store) : IClassFixture<EventStoreDatabase>
{
    [Fact]
    public async Task An_event_the_stream_already_holds_is_left_out_when_written_at_the_streams_version()
    {
        const string stream = "test-contact-versioned-overlap";
        var first = TestEvents.Contact("versioned-overlap", 1);
        Assert.Equal(new WriteResult(false, 1, 0), await store.Writer().WriteAsync("message-versioned-1", [new StreamEvents(stream, [first], 0)]));

        // A decision at version 1 that carries the stored event again (as a poll overlapping a webhook could).
        var second = TestEvents.Contact("versioned-overlap", 2);
        var result = await store.Writer().WriteAsync("message-versioned-2", [new StreamEvents(stream, [first, second], 1)]);

        Assert.Equal(new WriteResult(false, 1, 1), result);
        await using var session = store.Store.QuerySession();
        var events = await session.Events.FetchStreamAsync(stream);
        Assert.Equal([first.Id, second.Id], events.Select(e => e.Id));
        Assert.Equal([1L, 2L], events.Select(e => e.Version));
    }

    [Fact]
    public async Task A_state_read_prepared_before_a_schema_change_is_decided_again_and_the_append_succeeds()
    {
        await store.ScalarAsync("CREATE TABLE public.versioned_state (revision int NOT NULL); INSERT INTO public.versioned_state VALUES (1); SELECT 0");
        // One connection, so every attempt runs on the connection that prepared the read.
        var settings = new NpgsqlConnectionStringBuilder(store.Database.ConnectionString) { MaxPoolSize = 1, AutoPrepareMinUsages = 2 };
        await using var dataSource = PostgresSetup.HubDataSource(settings.ConnectionString, "eventstore-tests").Build();
        using var prepared = DocumentStore.For(options =>
        {
            options.Connection(dataSource);
            EventStoreSetup.Configure(options, AutoCreate.None);
            Hub.EventStore.TestWorker.TestEventStore.Configure(options);
        });
        var writer = new EventWriter(prepared, TimeProvider.System, NullLogger<EventWriter>.Instance);
        const string stream = "test-contact-prepared";

        for (var revision = 1; revision <= 4; revision++)
        {
            if (revision == 4)
                await store.ScalarAsync("ALTER TABLE public.versioned_state ALTER COLUMN revision TYPE bigint; SELECT 0");
            var result = await writer.WriteAsync($"message-prepared-{revision}", async (_, cancellationToken) =>
            {
                // Read on the pool's one connection, which the session then appends on.
                await using var read = dataSource.CreateCommand("select revision from public.versioned_state");
                var held = Convert.ToInt32(await read.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
                return [new StreamEvents(stream, [TestEvents.Contact("prepared", revision + held - 1)], revision - 1)];
            });
            Assert.Equal(new WriteResult(false, 1, 0), result);
        }

        Assert.Equal(4, await store.ScalarAsync($"SELECT count(*) FROM hub.mt_events WHERE stream_id = '{stream}'"));
    }
}
