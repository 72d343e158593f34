using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Hub.Contracts.Observations;
using Hub.Crm.HubSpot;
using Hub.Ingest.HubSpot;

namespace Hub.Ingest.Webhooks;

/// <summary>
/// One event of a HubSpot delivery (the body is a JSON array of these). Ids are kept as text, as the hub keys
/// HubSpot records. <see cref="Raw"/> is the event as HubSpot sent it, which is what the inbox keeps.
/// </summary>
public sealed record HubSpotWebhookEvent(
    long EventId,
    string SubscriptionType,
    string ObjectType,
    string Change,
    string ObjectId,
    DateTimeOffset OccurredAt,
    int AttemptNumber,
    string? ChangeSource,
    string? SourceId,
    string? PrimaryObjectId,
    IReadOnlyList<string> MergedObjectIds,
    string? NewObjectId,
    JsonElement Raw,
    HubSpotAssociationChange? Association = null);

/// <summary>
/// What an <c>*.associationChange</c> event names, turned to the deal's side: the deal, the contact or company at the
/// other end, and whether HubSpot said an association between them was removed.
/// </summary>
public sealed record HubSpotAssociationChange(string DealId, string ToObjectType, string ToObjectId, bool Removed);

/// <summary>
/// What a HubSpot delivery says and what its events become, as pure functions: <see cref="Read"/> splits a body into
/// events the hub maps and authentic events it cannot (parked), or refuses it; <see cref="Observe"/> turns resolved
/// events and the records read from HubSpot into observed records per resource (ADR 0023).
/// </summary>
public static class HubSpotWebhookEvents
{
    /// <summary>HubSpot sends at most this many events per request.</summary>
    public const int MaxEvents = 100;

    public const string Creation = "creation";
    public const string PropertyChange = "propertyChange";
    public const string Deletion = "deletion";
    public const string Restore = "restore";
    public const string Merge = "merge";
    public const string PrivacyDeletion = "privacyDeletion";
    public const string AssociationChange = "associationChange";

    private static readonly Dictionary<string, string> ObjectTypes = new(StringComparer.Ordinal)
    {
        ["contact"] = HubSpotObservations.Contacts,
        ["company"] = HubSpotObservations.Companies,
        ["deal"] = HubSpotObservations.Deals,
    };

    private static readonly HashSet<string> Changes = [Creation, PropertyChange, Deletion, Restore, Merge];

    // associationType names both ends in capitals ("DEAL_TO_CONTACT"); labelled types keep their objects' names.
    private static readonly Dictionary<string, string> AssociatedObjects = new(StringComparer.Ordinal)
    {
        ["CONTACT"] = HubSpotObservations.Contacts,
        ["COMPANY"] = HubSpotObservations.Companies,
        ["DEAL"] = HubSpotObservations.Deals,
    };

    public abstract record Reading;

    /// <summary>An array of events: those the hub maps, and the authentic rest it keeps for a later version (parked).</summary>
    public sealed record Events(IReadOnlyList<HubSpotWebhookEvent> Mapped, IReadOnlyList<JsonElement> Unmapped, string? UnmappedReason) : Reading;

    /// <summary>Not a HubSpot delivery (400): not an array, too many events, an event without an id.</summary>
    public sealed record Refused(string Reason, string Detail) : Reading;

    /// <summary>Not JSON at all (400, nothing kept: there is nothing to replay).</summary>
    public sealed record Malformed(string Detail) : Reading;

    /// <param name="maxEvents">HubSpot's 100 for a live delivery; an operator's replay of a parked one may split more.</param>
    public static Reading Read(ReadOnlyMemory<byte> body, int maxEvents = MaxEvents)
    {
        if (!WebhookReading.TryParse(body, out var document, out var error))
            return new Malformed(error);

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
                return new Refused("not-an-array", "A HubSpot delivery is a JSON array of events.");
            var count = root.GetArrayLength();
            if (count > maxEvents)
                return new Refused("too-many-events", $"A HubSpot delivery holds at most {maxEvents} events; this one holds {count}.");
            if (count == 0)
                return new Refused("no-events", "A HubSpot delivery holds at least one event.");

            var mapped = new List<HubSpotWebhookEvent>(count);
            var unmapped = new List<JsonElement>();
            string? reason = null;
            foreach (var element in root.EnumerateArray())
            {
                if (element.ValueKind != JsonValueKind.Object || Long(element, "eventId") is null)
                    return new Refused("invalid-event", "Every event must be an object with a numeric eventId.");
                var (parsed, why) = Parse(element.Clone());
                if (parsed is not null)
                {
                    mapped.Add(parsed);
                    continue;
                }

                unmapped.Add(element.Clone());
                reason ??= why;
            }

            return new Events(mapped, unmapped, reason);
        }
    }

    /// <summary>An event the hub maps, or why not (an event type it does not watch, a field missing).</summary>
    public static (HubSpotWebhookEvent? Event, string? Reason) Parse(JsonElement e)
    {
        var type = Text(e, "subscriptionType") ?? "";
        var parts = type.Split('.');
        if (parts.Length != 2 || !ObjectTypes.TryGetValue(parts[0], out var objectType)
            || !(Changes.Contains(parts[1]) || parts[1] == AssociationChange || (parts[1] == PrivacyDeletion && objectType == HubSpotObservations.Contacts)))
            return (null, $"No mapping for HubSpot event type '{type}'.");
        if (parts[1] == AssociationChange)
            return ParseAssociationChange(e, type, objectType);
        if (Long(e, "eventId") is not { } eventId || Long(e, "objectId") is not { } objectId || Long(e, "occurredAt") is not { } occurredAt)
            return (null, $"A '{type}' event without a numeric eventId, objectId or occurredAt.");
        var merged = e.TryGetProperty("mergedObjectIds", out var ids) && ids.ValueKind == JsonValueKind.Array
            ? ids.EnumerateArray().Select(i => Id(i)).OfType<string>().ToList()
            : [];
        if (parts[1] == Merge && merged.Count == 0)
            return (null, $"A '{type}' event without mergedObjectIds.");
        return (new HubSpotWebhookEvent(
            eventId, type, objectType, parts[1], Format(objectId),
            DateTimeOffset.FromUnixTimeMilliseconds(occurredAt),
            (int)(Long(e, "attemptNumber") ?? 0),
            Text(e, "changeSource"), Text(e, "sourceId"),
            e.TryGetProperty("primaryObjectId", out var primary) ? Id(primary) : null,
            merged,
            e.TryGetProperty("newObjectId", out var created) ? Id(created) : null,
            e), null);
    }

    /// <summary>
    /// An association event carries no <c>objectId</c> but both ends. A deal's pair with a contact or company is
    /// normalised to the deal's side, whichever object's subscription fired it; other pairs (contact–company) are
    /// kept in the inbox but observe nothing (<see cref="HubSpotWebhookEvent.Association"/> null).
    /// </summary>
    private static (HubSpotWebhookEvent? Event, string? Reason) ParseAssociationChange(JsonElement e, string type, string objectType)
    {
        if (Long(e, "eventId") is not { } eventId || Long(e, "fromObjectId") is not { } fromId || Long(e, "toObjectId") is not { } toId
            || Long(e, "occurredAt") is not { } occurredAt)
            return (null, $"A '{type}' event without a numeric eventId, fromObjectId, toObjectId or occurredAt.");
        var ends = (Text(e, "associationType") ?? "").Split("_TO_");
        var toType = ends.Length == 2 && AssociatedObjects.TryGetValue(ends[1], out var t) ? t : null;
        var removed = e.TryGetProperty("associationRemoved", out var r) && r.ValueKind == JsonValueKind.True;
        var association = (objectType, toType) switch
        {
            (HubSpotObservations.Deals, HubSpotObservations.Contacts or HubSpotObservations.Companies) =>
                new HubSpotAssociationChange(Format(fromId), toType, Format(toId), removed),
            (HubSpotObservations.Contacts or HubSpotObservations.Companies, HubSpotObservations.Deals) =>
                new HubSpotAssociationChange(Format(toId), objectType, Format(fromId), removed),
            _ => null,
        };
        return (new HubSpotWebhookEvent(
            eventId, type, objectType, AssociationChange, Format(fromId),
            DateTimeOffset.FromUnixTimeMilliseconds(occurredAt),
            (int)(Long(e, "attemptNumber") ?? 0),
            Text(e, "changeSource"), Text(e, "sourceId"), null, [], null, e, association), null);
    }

    /// <summary>The resource an event's observation belongs to: the record's, or <c>association</c>.</summary>
    public static string Resource(HubSpotWebhookEvent e) =>
        e.Change == AssociationChange ? HubSpotObservations.AssociationResource : HubSpotObservations.Resource(e.ObjectType);

    /// <summary>The deals whose associations to contacts and to companies are re-read, per associated object type.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> AssociationsToRead(IEnumerable<HubSpotWebhookEvent> events) =>
        events.Select(e => e.Association).OfType<HubSpotAssociationChange>()
            .GroupBy(a => a.ToObjectType, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Select(a => a.DealId).Distinct(StringComparer.Ordinal)], StringComparer.Ordinal);

    /// <summary>
    /// The pairs the events name, each as the re-read found it at <paramref name="readAt"/>: its labels when any
    /// association is left; removed when none is and an event said one was removed. A pair added and gone again
    /// before the read observes nothing: its removal's event says so.
    /// </summary>
    /// <param name="read">The deals' associations per associated object type (v4 reads from deals).</param>
    public static IReadOnlyList<ObservedRecord> ObserveAssociations(
        IEnumerable<HubSpotWebhookEvent> events, IReadOnlyDictionary<string, IReadOnlyList<HubSpotAssociation>> read, DateTimeOffset readAt)
    {
        var records = new List<ObservedRecord>();
        foreach (var pair in events.Select(e => e.Association).OfType<HubSpotAssociationChange>()
            .GroupBy(a => (a.DealId, a.ToObjectType, a.ToObjectId)).OrderBy(g => HubSpotObservations.AssociationId(g.Key.DealId, g.Key.ToObjectType, g.Key.ToObjectId), StringComparer.Ordinal))
        {
            var (dealId, toType, toId) = pair.Key;
            var left = read.GetValueOrDefault(toType)?.Where(a => a.FromId == dealId && a.ToId == toId).ToList() ?? [];
            if (left.Count > 0)
                records.Add(HubSpotObservations.Associations(toType, left, readAt).Single());
            else if (pair.Any(a => a.Removed))
                records.Add(HubSpotObservations.AssociationRemoved(dealId, toType, toId, readAt));
        }

        return records;
    }

    /// <summary>The record whose state a merge leaves: the new record when HubSpot made one, else the primary.</summary>
    public static string Survivor(HubSpotWebhookEvent e) => e.NewObjectId ?? e.PrimaryObjectId ?? e.ObjectId;

    /// <summary>The records to read from HubSpot, per object type: the current state of whatever an event changed.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> ToRead(IEnumerable<HubSpotWebhookEvent> events) =>
        events.Where(e => e.Change is Creation or PropertyChange or Restore or Merge)
            .GroupBy(e => e.ObjectType, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Select(e => e.Change == Merge ? Survivor(e) : e.ObjectId).Distinct(StringComparer.Ordinal)], StringComparer.Ordinal);

    /// <summary>
    /// Observed records per resource, in event order. A changed record is its state as read (versioned by its own
    /// last change, so a late event never rolls it back); one not found was deleted or merged since, which its own
    /// event or the poll reports, so it yields nothing here. A deletion is the record archived at the event's instant
    /// (no properties: batch read does not return archived records); a privacy deletion and each merged-away id are
    /// the <see cref="HubSpotObservations"/> markers.
    /// </summary>
    public static IReadOnlyList<(string Resource, IReadOnlyList<ObservedRecord> Records)> Observe(
        IEnumerable<HubSpotWebhookEvent> events, IReadOnlyDictionary<(string ObjectType, string Id), HubSpotObject> read)
    {
        var byType = new Dictionary<string, List<ObservedRecord>>(StringComparer.Ordinal);
        var stated = new HashSet<(string, string)>();
        foreach (var e in events.Where(e => e.Change != AssociationChange).OrderBy(e => e.OccurredAt).ThenBy(e => e.EventId))
        {
            if (!byType.TryGetValue(e.ObjectType, out var records))
                byType[e.ObjectType] = records = [];
            switch (e.Change)
            {
                case Deletion:
                    records.Add(HubSpotObservations.Observed(e.ObjectType, new HubSpotObject(
                        e.ObjectId, new Dictionary<string, string?>(), e.OccurredAt, e.OccurredAt, true, e.OccurredAt)));
                    break;
                case PrivacyDeletion:
                    records.Add(HubSpotObservations.PrivacyDeletion(e.ObjectId, e.OccurredAt));
                    break;
                case Merge:
                    var survivor = Survivor(e);
                    AddState(survivor);
                    var merged = e.PrimaryObjectId is { } primary ? e.MergedObjectIds.Append(primary) : e.MergedObjectIds;
                    foreach (var gone in merged.Where(id => id != survivor).Distinct(StringComparer.Ordinal))
                        records.Add(HubSpotObservations.MergedAway(gone, survivor, e.OccurredAt));
                    break;
                default:
                    AddState(e.ObjectId);
                    break;
            }

            // Several events of one record (a creation fires a property change per property) need its state once.
            void AddState(string id)
            {
                if (read.TryGetValue((e.ObjectType, id), out var record) && stated.Add((e.ObjectType, id)))
                    records.Add(HubSpotObservations.Observed(e.ObjectType, record));
            }
        }

        return [.. byType.Where(t => t.Value.Count > 0).Select(t => (HubSpotObservations.Resource(t.Key), (IReadOnlyList<ObservedRecord>)t.Value))];
    }

    /// <summary>
    /// The observation id of records resolved from these events: <c>webhook:{connection}:{resource}:{hash of the
    /// event ids}</c>, the same however often the same events are resolved (ADR 0023).
    /// </summary>
    public static string ObservationId(string connection, string resource, IEnumerable<long> eventIds) =>
        $"webhook:{connection}:{resource}:{Hash(eventIds)}";

    /// <summary>A parked delivery's key: its event ids when it has them (the same however often HubSpot retries it), else its body.</summary>
    public static string DeliveryKey(ReadOnlySpan<byte> body, IEnumerable<long>? eventIds) =>
        eventIds is null ? "body:" + Convert.ToHexStringLower(SHA256.HashData(body))[..32] : "events:" + Hash(eventIds);

    /// <summary>The event ids of a JSON array of events, or null when one has none.</summary>
    public static IReadOnlyList<long>? EventIds(ReadOnlyMemory<byte> body)
    {
        if (!WebhookReading.TryParse(body, out var document, out _))
            return null;
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
                return null;
            var ids = document.RootElement.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Object ? Long(e, "eventId") : null).ToList();
            return ids.Count > 0 && ids.All(i => i is not null) ? [.. ids.Select(i => i!.Value)] : null;
        }
    }

    private static string Hash(IEnumerable<long> eventIds) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(string.Join(',', eventIds.Order().Select(Format)))))[..32];

    private static string Format(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? Long(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) ? Id(value) is { } text && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : null : null;

    private static string? Id(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetInt64(out var n) => Format(n),
        JsonValueKind.String when long.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) => Format(n),
        _ => null,
    };
}
