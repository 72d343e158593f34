using Hub.Ingest.Checkpoints;
using Hub.Ingest.Connections;
using Hub.Ingest.Leadership;
using Hub.Ingest.Polling;
using Hub.Ingest.Reconciliation;

namespace Hub.Ingest.PropertyFinder;

/// <summary>
/// One poll run of Property Finder leads: a walk from the watermark minus the look-back (<c>since</c> is exclusive
/// and <c>createdAt</c> has whole seconds, so leads of the boundary second come again and are de-duplicated
/// downstream), then — leads have no <c>include_deleted</c> — a full reconciliation pass when one is due.
/// </summary>
public sealed class LeadPoller(PropertyFinderClient client, PageWalker walker, CheckpointStore checkpoints, ReconciliationPass reconciliation, TimeProvider clock)
{
    private const string Scope = "lead";

    public async Task PollAsync(SourceConnection connection, LeaderLease lease, CancellationToken cancellationToken)
    {
        PageReader read = (since, cursor, ct) => client.ListLeadsAsync(connection, since, cursor, ct);
        await walker.WalkAsync(connection, Scope, Scope, read, lease, cancellationToken);

        var checkpoint = await checkpoints.LoadAsync(connection.Name, Scope, cancellationToken);
        if (checkpoint.ReconciledUtc is not { } last || clock.GetUtcNow() - last >= connection.ReconcileEvery)
            await reconciliation.RunAsync(connection, Scope, Scope, read, lease, cancellationToken);
    }
}
