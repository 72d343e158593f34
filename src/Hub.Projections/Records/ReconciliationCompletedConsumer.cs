using Hub.Sync.Records;
using Hub.Contracts.Observations;
using Hub.EventStore.Writing;
using Marten;
using MassTransit;

namespace Hub.Projections.Records;

/// <summary>
/// After a complete pass over a resource without <c>include_deleted</c>: every live record of that connection and
/// resource the pass did not see is marked deleted (<see cref="ObservationDecision.DecideUnseen"/>), in one session
/// keyed by the pass's observation id.
/// </summary>
public sealed partial class ReconciliationCompletedConsumer(EventWriter writer, ILogger<ReconciliationCompletedConsumer> logger)
    : IConsumer<ReconciliationCompleted>
{
    public async Task Consume(ConsumeContext<ReconciliationCompleted> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var pass = context.Message;
        using var activity = ProjectionsTelemetry.Source.StartActivity("reconcile");
        activity?.SetTag("hub.observation.id", pass.ObservationId);

        var result = await writer.WriteAsync(pass.ObservationId, async (session, cancellationToken) =>
        {
            session.CausationId = pass.ObservationId;
            var seen = pass.SeenIds.ToHashSet(StringComparer.Ordinal);
            // Ids first: a resource can hold many records, and only the unseen ones are needed whole.
            var live = await session.Query<SourceRecord>()
                .Where(r => r.Source == pass.Source && r.Connection == pass.Connection && r.Resource == pass.Resource && r.DeletedUtc == null)
                .Select(r => r.RecordId)
                .ToListAsync(cancellationToken);
            var unseenKeys = live.Where(id => !seen.Contains(id)).Select(id => SourceRecord.StreamKey(pass.Source, pass.Resource, id)).ToArray();
            if (unseenKeys.Length == 0)
                return [];
            var unseen = await session.LoadManyAsync<SourceRecord>(cancellationToken, unseenKeys);
            return [.. unseen
                .Select(state => (state, pending: ObservationDecision.DecideUnseen(state, pass)))
                .Where(d => d.pending is not null)
                .Select(d => new StreamEvents(d.state.Id, [d.pending!], d.state.Version)
                {
                    // A pass that finds many records gone writes their deletions in bulk (ADR 0026).
                    InlineState = SourceRecord.FoldAll(d.state, d.state.Id, [d.pending!.Data]),
                })];
        }, context.CancellationToken);

        if (result.DuplicateMessage)
            ProjectionsTelemetry.DuplicatesDropped.Add(1, ProjectionsTelemetry.Tags(pass.Source, pass.Connection, pass.Resource, "message"));
        else
            ProjectionsTelemetry.EventsAppended.Add(result.Appended, ProjectionsTelemetry.Tags(pass.Source, pass.Connection, pass.Resource, path: "append"));
        LogReconciled(pass.ObservationId, pass.SeenIds.Count, result.Appended, result.DuplicateMessage);
    }

    [LoggerMessage(LogLevel.Information, "Reconciliation {ObservationId}: {Seen} records seen, {Deleted} marked deleted, duplicate message {DuplicateMessage}")]
    private partial void LogReconciled(string observationId, int seen, int deleted, bool duplicateMessage);
}
