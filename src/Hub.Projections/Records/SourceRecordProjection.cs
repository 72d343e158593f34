using Hub.Sync.Records;
using JasperFx.Events;
using Marten.Events.Aggregation;

namespace Hub.Projections.Records;

/// <summary>
/// Keeps <see cref="SourceRecord"/> per record stream. Registered inline, so the state a decision reads is always
/// the state of the last committed append (never behind, as an async projection would be).
/// </summary>
public sealed partial class SourceRecordProjection : SingleStreamProjection<SourceRecord, string>
{
    public override SourceRecord? Evolve(SourceRecord? snapshot, string id, IEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return SourceRecord.Fold(snapshot, id, e.Data, e.Version);
    }
}
