using Hub.Contracts.Observations;
using Hub.Ingest.Checkpoints;
using Hub.Ingest.Connections;
using Hub.Ingest.Leadership;
using Hub.Ingest.Observations;
using Hub.Ingest.Polling;
using Microsoft.Extensions.Logging;

namespace Hub.Ingest.Reconciliation;

/// <summary>
/// Delete detection for resources without <c>include_deleted</c>: a full pass over the resource (its pages sent as
/// observations like any poll), then <see cref="ReconciliationCompleted"/> with every id seen, from which the store
/// marks unseen records deleted. Sent only when the whole pass succeeded: any error (budget, network, lost
/// leadership) throws before it, so a partial pass never deletes anything.
/// </summary>
public sealed class ReconciliationPass(PageWalker walker, ObservationSender queue, CheckpointStore checkpoints, TimeProvider clock, ILogger<ReconciliationPass> logger)
{
    public async Task RunAsync(SourceConnection connection, string resource, string scope, PageReader read, LeaderLease lease, CancellationToken cancellationToken)
    {
        var started = clock.GetUtcNow();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await walker.FullPassAsync(connection, resource, scope, read, lease, record => seen.Add(record.Id), cancellationToken);

        await queue.SendAsync(new ReconciliationCompleted(
            $"reconciliation:{connection.Name}:{scope}:{started.UtcTicks}",
            connection.Source,
            connection.Name,
            resource,
            started,
            [.. seen.Order(StringComparer.Ordinal)]), cancellationToken);
        await checkpoints.SaveReconciledAsync(connection.Name, scope, started, cancellationToken);
        logger.LogInformation("Reconciliation of {Connection}/{Scope} done: {Records} records seen", connection.Name, scope, seen.Count);
    }
}
