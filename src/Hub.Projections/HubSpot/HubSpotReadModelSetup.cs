using Hub.Sync;
using Hub.Sync.HubSpot;
using Hub.Sync.TwoWay;
using Hub.Crm.HubSpot;
using Hub.EventStore.Projections;
using Hub.EventStore.Writing;
using JasperFx.Events.Projections;
using Marten;

namespace Hub.Projections.HubSpot;

/// <summary>Wires the HubSpot read model into the store: the push ledger's events and the async projection.</summary>
public static class HubSpotReadModelSetup
{
    /// <summary>
    /// Events per daemon page for the read model and each push: a record's event and its push outcome then share a
    /// page more often (one read-model upsert, not two), and a push page carries more records per batch of HubSpot
    /// requests. 100,000 contacts to HubSpot (bench/Hub.HubSpot.Benchmarks): 929 records/s at 500, 1,310 at 2,000
    /// (PostgreSQL's CPU halved), 1,448 at 5,000, where Projections peaked at 503 MB instead of 382.
    /// </summary>
    public const int BatchSize = 2_000;

    public static readonly RebuildableReadModel Rebuildable =
        RebuildableReadModel.For<HubSpotRecord>(HubSpotRecordProjection.ReadModelName, HubSpotRecordProjection.ProjectionName);

    /// <summary>
    /// The push ledger's event names and the read model's table, always (streams may hold those events, Hub.Api reads
    /// the table); the projection itself when <paramref name="projected"/>: the host projects it only where a HubSpot
    /// connection is configured, since nothing else reads it, and a connection added later builds it from the log.
    /// </summary>
    public static StoreOptions AddHubSpotReadModel(this StoreOptions store, bool projected = true)
    {
        ArgumentNullException.ThrowIfNull(store);
        store.Map<HubSpotPushed>(StoredEventNames.Of<HubSpotPushed>());
        store.Map<HubSpotPushParked>(StoredEventNames.Of<HubSpotPushParked>());
        store.Map<HubSpotMerged>(StoredEventNames.Of<HubSpotMerged>());
        store.Map<SyncDecided>(StoredEventNames.Of<SyncDecided>());
        store.Map<PropstreetWrittenBack>(StoredEventNames.Of<PropstreetWrittenBack>());
        store.Map<PropstreetWriteParked>(StoredEventNames.Of<PropstreetWriteParked>());
        if (projected)
            store.Projections.Add<HubSpotRecordProjection>(ProjectionLifecycle.Async, options => options.BatchSize = BatchSize);
        // A pushed deal, contact or company finds the associations waiting for it. Numeric revisions as the projection
        // sets them, so the table is the same whether this process projects it or not (the migrate job need not).
        store.Schema.For<HubSpotRecord>().Index(r => r.LinkFromKey).Index(r => r.LinkToKey).UseNumericRevisions(true);
        return store;
    }

    /// <summary>
    /// A <see cref="HubSpotPush"/> subscription per configured HubSpot connection (<c>HubSpot:Connections:{name}</c>,
    /// clients from <see cref="HubSpotSetup.AddHubSpot"/>), run by the async daemon: one node per connection at a time.
    /// </summary>
    public static MartenServiceCollectionExtensions.MartenConfigurationExpression AddHubSpotPush(
        this MartenServiceCollectionExtensions.MartenConfigurationExpression marten)
    {
        ArgumentNullException.ThrowIfNull(marten);
        marten.Services.ConfigureMarten((services, store) =>
        {
            var clients = services.GetRequiredService<HubSpotClients>();
            var writer = new Lazy<EventWriter>(services.GetRequiredService<EventWriter>);
            foreach (var name in clients.Names)
            {
                var push = new HubSpotPush(clients[name], writer, services.GetRequiredService<TimeProvider>(), services.GetRequiredService<ILogger<HubSpotPush>>());
                store.Projections.Subscribe(push, options => options.Options.BatchSize = BatchSize);
            }
        });
        return marten;
    }
}
