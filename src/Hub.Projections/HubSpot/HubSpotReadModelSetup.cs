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
        store.Map<HubSpotPushed>("hubspot.pushed.v1");
        store.Map<HubSpotPushParked>("hubspot.parked.v1");
        store.Projections.Add<HubSpotRecordProjection>(ProjectionLifecycle.Async);
        // A pushed deal, contact or company finds the associations waiting for it.
        store.Schema.For<HubSpotRecord>().Index(r => r.LinkFromKey).Index(r => r.LinkToKey);
        return store;
    }
}
