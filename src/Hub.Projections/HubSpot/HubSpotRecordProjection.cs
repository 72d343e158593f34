using Hub.Sync.HubSpot;
using Hub.Sync.Records;
using Hub.Sync.TwoWay;
using JasperFx.Events;
using Marten.Events.Aggregation;

namespace Hub.Projections.HubSpot;

/// <summary>
/// Builds <see cref="HubSpotRecord"/> per source record stream, asynchronously (the daemon), from the record events and
/// the push and two-way ledger in the same stream. A pure fold: a rebuild from the log ends in the same documents, pushed hashes
/// included, so a rebuilt model asks HubSpot for nothing it already has.
/// </summary>
public sealed partial class HubSpotRecordProjection : SingleStreamProjection<HubSpotRecord, string>
{
    public const string ProjectionName = HubSpotReadModel.ProjectionName;

    public const string ReadModelName = HubSpotReadModel.RebuildName;

    /// <summary>The events the read model folds: record events, the push ledger, the two-way ledger.</summary>
    public static readonly IReadOnlyList<Type> Folded =
    [
        typeof(RecordCreated), typeof(RecordUpdated), typeof(RecordDeleted), typeof(RecordRevived),
        typeof(HubSpotPushed), typeof(HubSpotPushParked),
        typeof(SyncDecided), typeof(PropstreetWrittenBack), typeof(PropstreetWriteParked), typeof(HubSpotMerged),
    ];

    public HubSpotRecordProjection()
    {
        Name = ProjectionName;
        // Named, so the daemon and the fast rebuild read only these from the log.
        foreach (var type in Folded)
            IncludeType(type);
    }

    public override HubSpotRecord? Evolve(HubSpotRecord? snapshot, string id, IEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.Data switch
        {
            IRecordEvent => HubSpotRecord.Observed(snapshot, SourceRecord.Fold(snapshot?.Source, id, e.Data, e.Version), e.Version),
            HubSpotPushed pushed when snapshot is not null => snapshot.Pushed(pushed, e.Version),
            HubSpotPushParked parked when snapshot is not null => snapshot.Parked(parked, e.Version),
            SyncDecided decided when snapshot is not null => snapshot.Decided(decided, e.Version),
            PropstreetWrittenBack written when snapshot is not null => snapshot.WrittenBack(written, e.Version),
            PropstreetWriteParked parked when snapshot is not null => snapshot.WriteParked(parked, e.Version),
            HubSpotMerged merged when snapshot is not null => snapshot.Merged(merged, e.Version),
            _ => snapshot is null ? null : snapshot with { Version = e.Version },
        };
    }
}
