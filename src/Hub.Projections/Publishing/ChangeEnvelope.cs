using System.Buffers;
using System.Text.Json;
using CloudNative.CloudEvents;
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
/// <remarks>
/// The envelope is written straight to JSON rather than through the SDK's <c>CloudEvent</c> and
/// <c>JsonEventFormatter</c>, which validated and re-parsed every attribute and copied each body three times: 7 % of
/// Projections' CPU and a fifth of its allocations in the HubSpot benchmark (ADR 0014 addendum). The SDK still
/// formats the attribute values, and the tests decode every envelope with its formatter.
/// </remarks>
public static class ChangeEnvelope
{
    /// <summary>The record's own sequence, for subscribers to drop what is not newer than what they applied.</summary>
    public static readonly CloudEventAttribute StreamVersion = CloudEventAttribute.CreateExtension("streamversion", CloudEventAttributeType.Integer);

    private static readonly JsonSerializerOptions DataOptions = new(JsonSerializerDefaults.Web);

    private const int MaxKeptBuffer = 64 * 1024;

    // Build is synchronous, so one buffer and writer per thread serve every envelope it writes.
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

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
        var id = stored.Id.ToString();

        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(4096);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer);
        writer.Reset(buffer);
        writer.WriteStartObject();
        writer.WriteString(CloudEventsSpecVersion.SpecVersionAttribute.Name, CloudEventsSpecVersion.V1_0.VersionId);
        writer.WriteString(CloudEventsSpecVersion.V1_0.IdAttribute.Name, id);
        writer.WriteString(CloudEventsSpecVersion.V1_0.SourceAttribute.Name, $"/integration-hub/{Uri.EscapeDataString(data.Source)}/{Uri.EscapeDataString(data.Connection)}");
        writer.WriteString(CloudEventsSpecVersion.V1_0.TypeAttribute.Name, type);
        writer.WriteString(CloudEventsSpecVersion.V1_0.SubjectAttribute.Name, stored.StreamKey);
        writer.WriteString(CloudEventsSpecVersion.V1_0.TimeAttribute.Name, CloudEventAttributeType.Timestamp.Format(stored.Timestamp));
        writer.WriteString(CloudEventsSpecVersion.V1_0.DataContentTypeAttribute.Name, "application/json");
        // CloudEvents integers are 32-bit; no record reaches 2^31 versions.
        writer.WriteNumber(StreamVersion.Name, checked((int)sequence));
        writer.WritePropertyName("data");
        JsonSerializer.Serialize(writer, new RecordChanged(data.Source, data.Resource, data.Id, change, sequence,
            data.UpdatedUtc, data.DeletedUtc, data.ETag, ChangedFields(stored.Data), after.Fields), DataOptions);
        writer.WriteEndObject();
        writer.Flush();
        var body = buffer.WrittenSpan.ToArray();
        // A rare huge record does not pin its buffer to the thread for the life of the process.
        if (buffer.Capacity > MaxKeptBuffer)
            (t_buffer, t_writer) = (null, null);
        return new OutgoingChange(id, type, body, stored.Timestamp, TraceParentOf(stored.CorrelationId));
    }

    private static string[] ChangedFields(object @event) => @event switch
    {
        RecordCreated e => Names(e.Fields),
        RecordRevived e => Names(e.Fields),
        RecordUpdated e => [.. Names(e.Changed), .. e.Removed],
        RecordDeleted e => [.. Names(e.Changed), .. e.Removed],
        _ => [],
    };

    private static string[] Names(JsonElement fields)
    {
        if (fields.ValueKind != JsonValueKind.Object)
            return [];
        var names = new string[fields.GetPropertyCount()];
        var i = 0;
        foreach (var property in fields.EnumerateObject())
            names[i++] = property.Name;
        return names;
    }

    /// <summary>The consumer stores the W3C trace context of the append as the correlation id; it continues here.</summary>
    public static string? TraceParentOf(string? correlationId) =>
        correlationId is not null && System.Diagnostics.ActivityContext.TryParse(correlationId, null, out _) ? correlationId : null;
}
