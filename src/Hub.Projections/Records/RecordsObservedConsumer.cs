using Hub.Sync.Records;
using System.Diagnostics;
using Hub.Contracts.Observations;
using Hub.EventStore.Writing;
using MassTransit;

namespace Hub.Projections.Records;

/// <summary>
/// Appends an observation (a polled page, a webhook delivery) to its records' streams: one session, one transaction,
/// the observation id as processed-message key. The decisions are made inside each write attempt on the state the
/// attempt reads, so a race lost to another consumer is decided again on the winner's state.
/// </summary>
public sealed partial class RecordsObservedConsumer(EventWriter writer, ILogger<RecordsObservedConsumer> logger) : IConsumer<RecordsObserved>
{
    public async Task Consume(ConsumeContext<RecordsObserved> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var observation = context.Message;
        using var activity = ProjectionsTelemetry.Source.StartActivity("append observation");
        activity?.SetTag("hub.observation.id", observation.ObservationId);
        activity?.SetTag("hub.records", observation.Records.Count);

        var tally = new Tally();
        var result = await writer.WriteAsync(observation.ObservationId, async (session, cancellationToken) =>
        {
            tally = new Tally();
            // The trace and the observation travel with the events, so the publisher can link back to both.
            session.CorrelationId = Activity.Current?.Id;
            session.CausationId = observation.ObservationId;
            var keys = observation.Records.Select(r => SourceRecord.StreamKey(observation.Source, observation.Resource, r.Id)).Distinct().ToArray();
            var states = (await session.LoadManyAsync<SourceRecord>(cancellationToken, keys)).ToDictionary(s => s.Id, StringComparer.Ordinal);
            return Decide(observation, states, tally);
        }, context.CancellationToken);

        if (result.DuplicateMessage)
            ProjectionsTelemetry.DuplicatesDropped.Add(1, ProjectionsTelemetry.Tags(observation.Source, observation.Connection, observation.Resource, "message"));
        else
        {
            ProjectionsTelemetry.EventsAppended.Add(
                result.Appended, ProjectionsTelemetry.Tags(observation.Source, observation.Connection, observation.Resource, path: result.InBulk ? "bulk" : "append"));
            ProjectionsTelemetry.StaleDropped.Add(tally.Stale, ProjectionsTelemetry.Tags(observation.Source, observation.Connection, observation.Resource));
            ProjectionsTelemetry.DuplicatesDropped.Add(
                tally.Unchanged + result.AlreadyStored, ProjectionsTelemetry.Tags(observation.Source, observation.Connection, observation.Resource, "record"));
        }

        activity?.SetTag("hub.events.appended", result.Appended);
        activity?.SetTag("hub.events.bulk", result.InBulk);
        LogObserved(observation.ObservationId, observation.Records.Count, result.Appended, tally.Stale, tally.Unchanged + result.AlreadyStored, result.DuplicateMessage);
    }

    /// <summary>
    /// The page's records in order; several observations of one record in a page chain on each other's outcome. Each
    /// stream carries the version its decision read, so a concurrent append to it fails this attempt.
    /// </summary>
    internal static IReadOnlyList<StreamEvents> Decide(RecordsObserved observation, Dictionary<string, SourceRecord> states, Tally tally)
    {
        var streams = new Dictionary<string, (long Before, List<PendingEvent> Events)>(StringComparer.Ordinal);
        foreach (var record in observation.Records)
        {
            var key = SourceRecord.StreamKey(observation.Source, observation.Resource, record.Id);
            var state = states.GetValueOrDefault(key);
            var decision = ObservationDecision.Decide(state, observation.Source, observation.Connection, observation.Resource, record);
            switch (decision.Outcome)
            {
                case ObservationOutcome.Stale:
                    tally.Stale++;
                    continue;
                case ObservationOutcome.Unchanged:
                    tally.Unchanged++;
                    continue;
            }

            if (!streams.TryGetValue(key, out var stream))
                streams[key] = stream = (state?.Version ?? 0, []);
            stream.Events.AddRange(decision.Events);
            states[key] = SourceRecord.FoldAll(state, key, decision.Events.Select(e => e.Data))!;
        }

        // The folded state goes along, so a page of new streams can be copied with its read models (ADR 0026).
        return [.. streams.Select(s => new StreamEvents(s.Key, s.Value.Events, s.Value.Before) { InlineState = states[s.Key] })];
    }

    internal sealed class Tally
    {
        public int Stale { get; set; }

        public int Unchanged { get; set; }
    }

    [LoggerMessage(LogLevel.Information,
        "Observation {ObservationId}: {Records} records, {Appended} events appended, {Stale} stale, {Duplicates} already held, duplicate message {DuplicateMessage}")]
    private partial void LogObserved(string observationId, int records, int appended, int stale, int duplicates, bool duplicateMessage);
}
