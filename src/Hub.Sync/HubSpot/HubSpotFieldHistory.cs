using System.Globalization;
using Hub.Sync.Records;
using Hub.Sync.TwoWay;

namespace Hub.Sync.HubSpot;

/// <summary>One event of a record stream as stored: its version, when it was stored, and its data.</summary>
public sealed record StoredEvent(long Version, DateTimeOffset Timestamp, object Data);

/// <summary>One step in the life of a property: a source change, a decision, a push or a write-back.</summary>
/// <param name="Kind"><c>changed</c> (the source record's value changed), <c>decided</c>, <c>pushed</c>, <c>written-back</c>, <c>parked</c>.</param>
public sealed record FieldStep(long Version, DateTimeOffset At, string Kind, string? Value, string Detail);

/// <summary>"Why does HubSpot hold this value": the steps that led to it, and the answer in a sentence.</summary>
public sealed record FieldHistory(string StreamKey, string Connection, string Property, string? HubSpotId, string? Value, string Answer, IReadOnlyList<FieldStep> Steps);

/// <summary>
/// Explains one HubSpot property of a source record on one connection from the record's own stream, which holds the
/// source's changes, the push ledger and the two-way decisions side by side: which change brought the value, which
/// decision kept it, when it reached HubSpot. Pure: the API reads the stream and asks this.
/// </summary>
public static class HubSpotFieldHistory
{
    public static FieldHistory Explain(string streamKey, string connection, string property, IReadOnlyList<StoredEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var steps = new List<FieldStep>();
        SourceRecord? state = null;
        string? value = null, hubSpotId = null;
        foreach (var e in events.OrderBy(e => e.Version))
        {
            switch (e.Data)
            {
                case IRecordEvent:
                    state = SourceRecord.Fold(state, streamKey, e.Data, e.Version);
                    var mapped = HubSpotMapping.Map(state)?.Properties.GetValueOrDefault(property);
                    if (mapped != value || steps.Count == 0)
                        steps.Add(new FieldStep(e.Version, state.UpdatedUtc ?? e.Timestamp, "changed", mapped,
                            $"{state.Source} {(state.IsDeleted ? "deleted the record" : $"{(value is null ? "had" : "changed")} {property}")} (its version of {Instant(state.UpdatedUtc ?? e.Timestamp)})."));
                    value = mapped;
                    break;
                case SyncDecided decided when decided.Connection == connection:
                    hubSpotId = decided.HubSpotId;
                    if (decided.Fields.FirstOrDefault(f => f.Property == property) is { } field)
                        steps.Add(new FieldStep(e.Version, decided.DecidedUtc, "decided", field.AgreedValue, $"{field.Winner} wins ({field.Rule}): {field.Reason}"));
                    else if (decided.RecordAction is { } action)
                        steps.Add(new FieldStep(e.Version, decided.DecidedUtc, "decided", null, $"{action}: {decided.RecordReason}"));
                    break;
                case HubSpotPushed pushed when pushed.Connection == connection:
                    hubSpotId = pushed.HubSpotId;
                    var sent = pushed.Synced?.GetValueOrDefault(property) ?? value;
                    steps.Add(new FieldStep(e.Version, pushed.PushedUtc, "pushed", sent,
                        $"HubSpot {pushed.HubSpotId} holds the record as of version {pushed.SourceVersion}."));
                    break;
                case PropstreetWrittenBack written when written.Connection == connection:
                    hubSpotId = written.HubSpotId;
                    steps.Add(new FieldStep(e.Version, written.WrittenUtc, "written-back", written.Synced.GetValueOrDefault(property),
                        $"HubSpot {written.HubSpotId}'s values were written to Propstreet ({written.Action})."));
                    break;
                case PropstreetWriteParked parked when parked.Connection == connection:
                    steps.Add(new FieldStep(e.Version, parked.ParkedUtc, "parked", null, parked.Reason));
                    break;
                case HubSpotPushParked parked when parked.Connection == connection:
                    steps.Add(new FieldStep(e.Version, parked.ParkedUtc, "parked", null, parked.Reason));
                    break;
            }
        }

        return new FieldHistory(streamKey, connection, property, hubSpotId, value, Answer(property, value, steps), steps);
    }

    private static string Answer(string property, string? value, List<FieldStep> steps)
    {
        var reached = steps.LastOrDefault(s => s.Kind is "pushed" or "written-back");
        if (reached is null)
            return steps.LastOrDefault(s => s.Kind == "parked") is { } parked
                ? $"HubSpot does not hold {property} from this record yet: {parked.Detail}"
                : $"The hub has not sent {property} of this record to HubSpot yet.";
        var decision = steps.LastOrDefault(s => s.Kind == "decided" && s.Version <= reached.Version);
        var change = steps.LastOrDefault(s => s.Kind == "changed" && s.Value == (reached.Value ?? value) && s.Version <= reached.Version)
            ?? steps.LastOrDefault(s => s.Kind == "changed" && s.Version <= reached.Version);
        var held = reached.Value ?? value ?? "";
        var origin = reached.Kind == "written-back"
            ? $"HubSpot's own value, written back to Propstreet at {Instant(reached.At)}"
            : $"pushed at {Instant(reached.At)}{(change is null ? "" : $" after {change.Detail.TrimEnd('.')} at version {change.Version}")}";
        return $"HubSpot holds {property} = '{held}': {origin}." + (decision is null ? "" : $" Decision at version {decision.Version}: {decision.Detail}");
    }

    private static string Instant(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
