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
    public static readonly RebuildableReadModel Rebuildable =
        RebuildableReadModel.For<HubSpotRecord>(HubSpotRecordProjection.ReadModelName, HubSpotRecordProjection.ProjectionName);

    public static StoreOptions AddHubSpotReadModel(this StoreOptions store)
    {
        ArgumentNullException.ThrowIfNull(store);
        store.Map<HubSpotPushed>(StoredEventNames.Of<HubSpotPushed>());
        store.Map<HubSpotPushParked>(StoredEventNames.Of<HubSpotPushParked>());
        store.Map<HubSpotMerged>(StoredEventNames.Of<HubSpotMerged>());
        store.Map<SyncDecided>(StoredEventNames.Of<SyncDecided>());
        store.Map<PropstreetWrittenBack>(StoredEventNames.Of<PropstreetWrittenBack>());
        store.Map<PropstreetWriteParked>(StoredEventNames.Of<PropstreetWriteParked>());
        store.Projections.Add<HubSpotRecordProjection>(ProjectionLifecycle.Async);
        // A pushed deal, contact or company finds the associations waiting for it.
        store.Schema.For<HubSpotRecord>().Index(r => r.LinkFromKey).Index(r => r.LinkToKey);
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
                store.Projections.Subscribe(push, options => options.Options.BatchSize = 500);
            }
        });
        return marten;
    }
}
