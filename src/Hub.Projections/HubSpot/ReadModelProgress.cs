using JasperFx.Events.Projections;
using Marten;

namespace Hub.Projections.HubSpot;

/// <summary>
/// Waits until <see cref="HubSpotRecordProjection"/> has projected a page of the log: the push and the two-way
/// decisions act on the read model, and acting on one that is behind would send stale content or decide on a stale
/// baseline. During a rebuild this is what holds their side effects back.
/// </summary>
internal static class ReadModelProgress
{
    private static readonly ShardName ReadModel = new(HubSpotRecordProjection.ProjectionName, "All", 1);

    /// <param name="waitingLong">Called once when the wait passes 30 s (the projection is paused or rebuilding).</param>
    public static async Task WaitAsync(IDocumentOperations operations, long ceiling, TimeProvider clock, Action waitingLong, CancellationToken cancellationToken)
    {
        var waited = TimeSpan.Zero;
        var pause = TimeSpan.FromMilliseconds(50);
        while ((await operations.DocumentStore.Advanced.ProjectionProgressFor(ReadModel, token: cancellationToken)) < ceiling)
        {
            await Task.Delay(pause, clock, cancellationToken);
            waited += pause;
            // Capped low: the projection usually catches up within a batch, and every pause here is latency.
            pause = TimeSpan.FromMilliseconds(Math.Min(250, pause.TotalMilliseconds * 2));
            if (waited > TimeSpan.FromSeconds(30) && waited - pause <= TimeSpan.FromSeconds(30))
                waitingLong();
        }
    }
}
