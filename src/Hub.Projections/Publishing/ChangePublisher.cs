using System.Diagnostics;
using Hub.Sync.Records;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;

namespace Hub.Projections.Publishing;

/// <summary>
/// Forwards committed record events, in the store's commit-safe order, to <c>hub.changes</c>. A Marten subscription run
/// by the HotCold daemon (one node at a time): its progress is stored only after <see cref="ProcessEventsAsync"/>
/// returns, and that returns only after the broker confirmed the whole batch — so a crash repeats changes (subscribers
/// see the same id twice) but never loses one.
/// </summary>
public sealed partial class ChangePublisher : SubscriptionBase
{
    public const string SubscriptionName = "ChangeEvents";

    private readonly ChangeExchange _exchange;
    private readonly ILogger<ChangePublisher> _logger;

    public ChangePublisher(ChangeExchange exchange, ILogger<ChangePublisher> logger)
    {
        _exchange = exchange;
        _logger = logger;
        Name = SubscriptionName;
        IncludeType<RecordCreated>();
        IncludeType<RecordUpdated>();
        IncludeType<RecordDeleted>();
        IncludeType<RecordRevived>();
    }

    public override async Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(operations);
        if (page.Events.Count == 0)
            return NullChangeListener.Instance;

        using var activity = ProjectionsTelemetry.Source.StartActivity("publish changes", ActivityKind.Producer, default(ActivityContext), links: Links(page.Events));
        var changes = await ToChangesAsync(page.Events, operations, cancellationToken);
        await PublishUntilConfirmedAsync(changes, cancellationToken);

        foreach (var type in changes.GroupBy(c => c.Type, StringComparer.Ordinal))
            ProjectionsTelemetry.EventsPublished.Add(type.Count(), new KeyValuePair<string, object?>("type", type.Key));
        activity?.SetTag("hub.events.published", changes.Count);
        LogPublished(changes.Count, page.SequenceFloor, page.SequenceCeiling);
        return NullChangeListener.Instance;
    }

    /// <summary>
    /// An exception out of <see cref="ProcessEventsAsync"/> would pause the subscription until the daemon restarts it,
    /// so a broker outage is waited out here: the batch is published again (same ids) until the broker confirms it or
    /// the host stops. Progress stays where it was meanwhile; nothing is skipped.
    /// </summary>
    private async Task PublishUntilConfirmedAsync(List<OutgoingChange> changes, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _exchange.PublishAsync(changes, cancellationToken);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                var pause = TimeSpan.FromMilliseconds(Math.Min(30_000, 250 * Math.Pow(2, Math.Min(attempt, 7))) * (0.5 + (Random.Shared.NextDouble() / 2)));
                LogRetrying(ex, changes.Count, attempt, pause.TotalSeconds);
                await Task.Delay(pause, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Each event with the record's whole state after it. Updates carry only changed fields, so the state comes from
    /// the record document when it is at that version (the usual case), else from the stream up to the version before.
    /// </summary>
    private static async Task<List<OutgoingChange>> ToChangesAsync(IReadOnlyList<IEvent> events, IDocumentOperations operations, CancellationToken cancellationToken)
    {
        // A stream whose first event here is its creation folds from nothing: an initial sync's pages load no documents.
        var keys = events.DistinctBy(e => e.StreamKey, StringComparer.Ordinal).Where(e => e.Data is not RecordCreated).Select(e => e.StreamKey!).ToArray();
        var current = (keys.Length == 0 ? [] : await operations.LoadManyAsync<SourceRecord>(cancellationToken, keys)).ToDictionary(r => r.Id, StringComparer.Ordinal);
        var states = new Dictionary<string, SourceRecord>(StringComparer.Ordinal);
        var changes = new List<OutgoingChange>(events.Count);
        foreach (var e in events)
        {
            var key = e.StreamKey!;
            SourceRecord after;
            if (states.TryGetValue(key, out var before) || e.Data is RecordCreated)
                after = SourceRecord.Fold(before, key, e.Data, e.Version);
            else if (current.TryGetValue(key, out var now) && now.Version == e.Version)
                after = now;
            else
                after = SourceRecord.Fold(
                    await operations.Events.AggregateStreamAsync<SourceRecord>(key, e.Version - 1, token: cancellationToken), key, e.Data, e.Version);
            states[key] = after;
            changes.Add(ChangeEnvelope.Build(e, after));
        }

        return changes;
    }

    private static IEnumerable<ActivityLink> Links(IReadOnlyList<IEvent> events) => events
        .Select(e => ChangeEnvelope.TraceParentOf(e.CorrelationId))
        .OfType<string>()
        .Distinct(StringComparer.Ordinal)
        .Take(64)
        .Select(id => new ActivityLink(ActivityContext.Parse(id, null)));

    [LoggerMessage(LogLevel.Warning, "Publishing {Count} change events failed (attempt {Attempt}); again in {Seconds:F1} s")]
    private partial void LogRetrying(Exception ex, int count, int attempt, double seconds);

    [LoggerMessage(LogLevel.Information, "Published {Count} change events (sequence {From}..{To}), confirmed by the broker")]
    private partial void LogPublished(int count, long from, long to);
}
