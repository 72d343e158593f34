using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;

namespace Hub.EventStore.Benchmarks;

/// <summary>
/// A subscription that receives every event and does nothing with it but check the order: what forwarding committed
/// events to the broker costs before the broker.
/// </summary>
public sealed class CommitOrderProbe : SubscriptionBase
{
    private long _delivered;
    private long _lastSequence;
    private long _outOfOrder;

    public CommitOrderProbe() => Name = "CommitOrderProbe";

    public long Delivered => Interlocked.Read(ref _delivered);

    public long OutOfOrder => Interlocked.Read(ref _outOfOrder);

    public override Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        foreach (var @event in page.Events)
        {
            if (@event.Sequence <= _lastSequence)
                Interlocked.Increment(ref _outOfOrder);
            _lastSequence = @event.Sequence;
        }

        Interlocked.Add(ref _delivered, page.Events.Count);
        return Task.FromResult(NullChangeListener.Instance);
    }
}
