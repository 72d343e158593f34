using JasperFx.Events;
using Marten.Events.Aggregation;

namespace Hub.EventStore.TestWorker;

/// <summary>An async single-stream projection that records each applied event (see <see cref="StreamTally"/>).</summary>
public sealed partial class StreamTallyProjection : SingleStreamProjection<StreamTally, string>
{
    public override StreamTally? Evolve(StreamTally? snapshot, string id, IEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        MidBatchStall.BlockIfReached(StallPoint.Projection);
        return new StreamTally(id, [.. snapshot?.EventIds ?? [], e.Id], e.Version, Environment.ProcessId);
    }
}
