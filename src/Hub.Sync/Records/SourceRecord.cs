using System.Text.Json;
using System.Text.Json.Nodes;
using Hub.Contracts.Changes;

namespace Hub.Sync.Records;

/// <summary>
/// The current state of one source record, kept by the inline <see cref="SourceRecordProjection"/> in the same
/// transaction as the append: what the stale-drop decision compares against and what reconciliation scans.
/// <see cref="Id"/> is the stream key (<c>propstreet-contact-123</c>); <see cref="Version"/> the stream's version.
/// </summary>
public sealed record SourceRecord(
    string Id,
    string Source,
    string Connection,
    string Resource,
    string RecordId,
    DateTimeOffset? UpdatedUtc,
    DateTimeOffset? DeletedUtc,
    string? ETag,
    bool DeletedUnseen,
    JsonElement Fields,
    long Version)
{
    public bool IsDeleted => DeletedUtc is not null;

    /// <summary>
    /// How many record events (changes) the stream holds: the record's own change sequence, published as
    /// <c>streamversion</c>. Unlike <see cref="Version"/> it does not count the hub's bookkeeping in the stream (the
    /// CRM push ledger), so subscribers see 1, 2, 3… per record.
    /// </summary>
    public long Changes { get; init; }

    /// <summary><c>{source}-{resource}-{id}</c>, e.g. <c>propstreet-contact-123</c> (docs/architecture.md).</summary>
    public static string StreamKey(string source, string resource, string id) => $"{source}-{resource}-{id}";

    /// <summary>The one fold of record events, used by the projection and by decisions that chain within a page.</summary>
    public static SourceRecord Fold(SourceRecord? state, string streamKey, object @event, long version) => (state, @event) switch
    {
        (null, RecordCreated e) => new SourceRecord(streamKey, e.Source, e.Connection, e.Resource, e.Id, e.UpdatedUtc, e.DeletedUtc, e.ETag, false, e.Fields, version) { Changes = 1 },
        (null, _) => throw new InvalidOperationException($"Stream {streamKey} starts with {@event.GetType().Name}, not {nameof(RecordCreated)}."),
        (_, RecordUpdated e) => state.With(e, Merge(state.Fields, e.Changed, e.Removed), unseen: false, version),
        (_, RecordDeleted e) => state.With(e, Merge(state.Fields, e.Changed, e.Removed), e.Unseen, version),
        (_, RecordRevived e) => state.With(e, e.Fields, unseen: false, version),
        // Other events in the stream (the CRM push ledger) move only its version; every writer names the version it
        // expects, so the version is known here and the observation consumer's expected versions stay right.
        _ => state with { Version = version },
    };

    /// <summary>
    /// <see cref="Fold"/> over events appended after <paramref name="state"/>, each at the next version: the state a
    /// writer hands in with its events (and the one its later decisions in the same attempt read).
    /// </summary>
    public static SourceRecord? FoldAll(SourceRecord? state, string streamKey, IEnumerable<object> events) =>
        events.Aggregate(state, (current, e) => Fold(current, streamKey, e, (current?.Version ?? 0) + 1));

    /// <summary>The change an event stands for, as published (<see cref="ChangeEventTypes"/>).</summary>
    public static string ChangeOf(object @event) => @event switch
    {
        RecordCreated => ChangeEventTypes.Created,
        RecordUpdated => ChangeEventTypes.Updated,
        RecordDeleted => ChangeEventTypes.Deleted,
        RecordRevived => ChangeEventTypes.Revived,
        _ => throw new ArgumentException($"{@event.GetType().Name} is not a record event.", nameof(@event)),
    };

    private SourceRecord With(IRecordEvent e, JsonElement fields, bool unseen, long version) => this with
    {
        Connection = e.Connection,
        UpdatedUtc = e.UpdatedUtc,
        DeletedUtc = e.DeletedUtc,
        ETag = e.ETag,
        DeletedUnseen = unseen,
        Fields = fields,
        Version = version,
        Changes = Changes + 1,
    };

    private static JsonElement Merge(JsonElement fields, JsonElement changed, IReadOnlyList<string> removed)
    {
        if (removed.Count == 0 && (changed.ValueKind != JsonValueKind.Object || !changed.EnumerateObject().Any()))
            return fields;
        var merged = JsonObject.Create(fields) ?? [];
        foreach (var name in removed)
            merged.Remove(name);
        if (changed.ValueKind == JsonValueKind.Object)
            foreach (var property in changed.EnumerateObject())
                merged[property.Name] = JsonSerializer.SerializeToNode(property.Value);
        return JsonSerializer.SerializeToElement(merged);
    }
}
