using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using Hub.Contracts.Changes;
using Hub.Sync.Records;
using JasperFx.Events;

namespace Hub.Projections.Publishing;

/// <summary>
/// A stored record event as a CloudEvents 1.0 structured JSON message (docs/change-events.md): id = the stored event's
/// id, source = <c>/integration-hub/{source}/{connection}</c>, type = <c>{source}.{resource}.{change}.v1</c>, subject =
/// the stream key, time = when it was stored, extension <c>streamversion</c> = the record's change sequence, data =
/// <see cref="RecordChanged"/>.
/// </summary>
public static class ChangeEnvelope
{
    /// <summary>The record's own sequence, for subscribers to drop what is not newer than what they applied.</summary>
    public static readonly CloudEventAttribute StreamVersion = CloudEventAttribute.CreateExtension("streamversion", CloudEventAttributeType.Integer);

    private static readonly JsonEventFormatter Formatter = new(new JsonSerializerOptions(JsonSerializerDefaults.Web), default);

    /// <param name="stored">The stored event (a <see cref="IRecordEvent"/>).</param>
    /// <param name="after">The record's state after it.</param>
    public static OutgoingChange Build(IEvent stored, SourceRecord after)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(after);
        var data = (IRecordEvent)stored.Data;
        var change = SourceRecord.ChangeOf(stored.Data);
        var type = ChangeEventTypes.For(data.Source, data.Resource, change);
        // The record's change sequence, not the stream version: the stream also holds the hub's CRM push ledger,
        // which subscribers never see. (A state stored before the sequence was kept has none: the version then.)
        var sequence = after.Changes > 0 ? after.Changes : stored.Version;
        var cloudEvent = new CloudEvent(CloudEventsSpecVersion.V1_0, [StreamVersion])
        {
            Id = stored.Id.ToString(),
            Source = new Uri($"/integration-hub/{Uri.EscapeDataString(data.Source)}/{Uri.EscapeDataString(data.Connection)}", UriKind.Relative),
            Type = type,
            Subject = stored.StreamKey,
            Time = stored.Timestamp,
            DataContentType = "application/json",
            Data = new RecordChanged(data.Source, data.Resource, data.Id, change, sequence,
                data.UpdatedUtc, data.DeletedUtc, data.ETag, ChangedFields(stored.Data), after.Fields),
        };
        // CloudEvents integers are 32-bit; no record reaches 2^31 versions.
        cloudEvent[StreamVersion] = checked((int)sequence);
        var body = Formatter.EncodeStructuredModeMessage(cloudEvent, out _);
        return new OutgoingChange(cloudEvent.Id, type, body, stored.Timestamp, TraceParentOf(stored.CorrelationId));
    }

    private static string[] ChangedFields(object @event) => @event switch
    {
        RecordCreated e => Names(e.Fields),
        RecordRevived e => Names(e.Fields),
        RecordUpdated e => [.. Names(e.Changed), .. e.Removed],
        RecordDeleted e => [.. Names(e.Changed), .. e.Removed],
        _ => [],
    };

    private static string[] Names(JsonElement fields) =>
        fields.ValueKind == JsonValueKind.Object ? [.. fields.EnumerateObject().Select(p => p.Name)] : [];

    /// <summary>The consumer stores the W3C trace context of the append as the correlation id; it continues here.</summary>
    public static string? TraceParentOf(string? correlationId) =>
        correlationId is not null && System.Diagnostics.ActivityContext.TryParse(correlationId, null, out _) ? correlationId : null;
}
