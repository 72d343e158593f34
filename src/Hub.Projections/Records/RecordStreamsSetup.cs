using Hub.Sync;
using Hub.Sync.Records;
using Hub.Contracts.Observations;
using Hub.EventStore.Writing;
using JasperFx.Events.Projections;
using Marten;
using MassTransit;

namespace Hub.Projections.Records;

/// <summary>Wires the record streams into the host: their events and state in the store, their consumers on the bus.</summary>
public static class RecordStreamsSetup
{
    /// <summary>Stored record events under explicit, versioned names, and the inline <see cref="SourceRecord"/> state.</summary>
    public static StoreOptions AddRecordStreams(this StoreOptions store)
    {
        store.Map<RecordCreated>(StoredEventNames.Of<RecordCreated>());
        store.Map<RecordUpdated>(StoredEventNames.Of<RecordUpdated>());
        store.Map<RecordDeleted>(StoredEventNames.Of<RecordDeleted>());
        store.Map<RecordRevived>(StoredEventNames.Of<RecordRevived>());
        store.Projections.Add<SourceRecordProjection>(ProjectionLifecycle.Inline);
        // Reconciliation scans one connection's live records of a resource.
        store.Schema.For<SourceRecord>().Index(r => r.Connection).Index(r => r.Resource);
        return store;
    }

    /// <summary>
    /// The observation consumers on <see cref="ObservationTransport.Queue"/>: <c>Projections:ObservationConcurrency</c> pages at
    /// once (default 2), retried with growing pauses, then MassTransit's <c>hub-observations_error</c> queue with the
    /// exception in its headers.
    /// </summary>
    public static IBusRegistrationConfigurator AddRecordConsumers(this IBusRegistrationConfigurator bus, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentNullException.ThrowIfNull(configuration);
        var concurrency = configuration.GetValue("Projections:ObservationConcurrency", 2);

        bus.AddConsumer<RecordsObservedConsumer>().Endpoint(e => e.Name = ObservationTransport.Queue);
        bus.AddConsumer<ReconciliationCompletedConsumer>().Endpoint(e => e.Name = ObservationTransport.Queue);
        bus.AddConfigureEndpointsCallback((_, name, endpoint) =>
        {
            if (name != ObservationTransport.Queue)
                return;
            endpoint.ConcurrentMessageLimit = concurrency;
            // Quorum queues (RabbitMq:QuorumQueues) are set for every endpoint by AddRabbitMq.
            if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
                rabbit.PrefetchCount = concurrency * 2;

            // Races between writers are retried inside EventWriter; these cover the database or broker going away.
            endpoint.UseMessageRetry(retry => retry.Intervals(
                TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30)));
        });
        return bus;
    }
}
