using System.Globalization;
using System.Text.Json;
using Hub.Sandbox.HubSpot.Control;
using Hub.Sandbox.HubSpot.Schema;
using Hub.Sandbox.HubSpot.Search;
using Hub.Sandbox.HubSpot.Webhooks;

namespace Hub.Sandbox.HubSpot.Objects;

/// <summary>
/// Every write to records — the API's and the control surface's — so each one keeps the bookkeeping properties,
/// the unique indexes, the search index (delayed), webhooks and counters in step. Checks and writes of one call run
/// under the type's lock; what follows from them (search, webhooks, counters) runs after it.
/// </summary>
public sealed class CrmWrites(CrmData data, SearchIndex search, WebhookEvents webhooks, RequestStats stats, TimeProvider clock)
{
    /// <summary>The properties of one input as HubSpot stores them; unknown, read-only or invalid ones go to <paramref name="errors"/>.</summary>
    public Dictionary<string, string?> ParseProperties(ObjectType type, JsonElement properties, List<PropertyError> errors)
    {
        var parsed = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (properties.ValueKind != JsonValueKind.Object)
        {
            if (properties.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null))
                errors.Add(new PropertyError("properties", "INVALID_PROPERTY_VALUE", "properties must be an object of property names to values."));
            return parsed;
        }

        foreach (var property in properties.EnumerateObject())
        {
            if (!type.Properties.TryGetValue(property.Name, out var definition))
            {
                errors.Add(new PropertyError(property.Name, "PROPERTY_DOESNT_EXIST", $"Property \"{property.Name}\" does not exist"));
                continue;
            }

            if (definition.ReadOnly)
            {
                errors.Add(new PropertyError(property.Name, "READ_ONLY_VALUE", $"{property.Name} is a read only property; its value cannot be set."));
                continue;
            }

            var (value, error) = definition.Normalize(property.Value, data.OwnerExists);
            if (error is not null)
                errors.Add(error);
            else
                parsed[definition.Name] = value; // the schema's string: one copy of each name for all records
        }

        return parsed;
    }

    /// <summary>Batch create: all or nothing, as HubSpot's default (a taken unique value fails the whole batch with 409).</summary>
    public (List<CrmRecord>? Created, HubSpotError? Error) Create(ObjectType type, IReadOnlyList<Dictionary<string, string?>> inputs, ChangeSource source)
    {
        CountInputs(type, inputs.Count, source);
        var now = Now();
        var store = data.Store(type);
        var result = store.Locked(w =>
        {
            var claimed = new Dictionary<(string, string), int>();
            for (var i = 0; i < inputs.Count; i++)
            {
                if (w.Conflict(inputs[i], null) is { } conflict)
                    return ((List<RecordChange>?)null, HubSpotError.Duplicate(type, conflict.Property, conflict.Value, conflict.HolderId));
                foreach (var unique in type.UniqueProperties)
                {
                    if (inputs[i].GetValueOrDefault(unique.Name) is { } value && !claimed.TryAdd((unique.Name, value), i))
                        return (null, HubSpotError.Validation($"Duplicate values of unique property {unique.Name} in batch input: [{value}]"));
                }
            }

            return (inputs.Select(p => Insert(w, type, p, now)).ToList(), (HubSpotError?)null);
        });
        if (result.Item1 is not { } changes)
            return (null, result.Item2);
        Publish(type, changes, source, now);
        return (changes.Select(c => c.After!).ToList(), null);
    }

    /// <summary>Batch update by record id, or by a unique property's value when <c>idProperty</c> is given; per-input errors.</summary>
    public List<InputOutcome> Update(ObjectType type, IReadOnlyList<WriteInput> inputs, ChangeSource source) =>
        EachInput(type, inputs, source, (w, input, now, changes) =>
            Find(w, type, input.Id, input.IdProperty) is { } current
                ? Apply(w, type, current, input.Properties, now, changes)
                : new InputOutcome(null, false, NotFound(type, input.Id)));

    /// <summary>Batch upsert by a unique property: updates the record holding <c>id</c>, else creates one with it.</summary>
    public List<InputOutcome> Upsert(ObjectType type, IReadOnlyList<WriteInput> inputs, ChangeSource source) =>
        EachInput(type, inputs, source, (w, input, now, changes) =>
        {
            var key = input.IdProperty!;
            if (w.ByUnique(key, input.Id!) is { } current)
                return Apply(w, type, current, input.Properties, now, changes);
            var properties = new Dictionary<string, string?>(input.Properties) { [key] = input.Id };
            if (w.Conflict(properties, null) is { } conflict)
                return new InputOutcome(null, false, Per(HubSpotError.Duplicate(type, conflict.Property, conflict.Value, conflict.HolderId), input.Id!));
            var created = Insert(w, type, properties, now);
            changes.Add(created);
            return new InputOutcome(created.After, true, null);
        });

    /// <summary>Archives the live records among the ids; unknown and already archived ids are ignored (HubSpot answers 204 either way).</summary>
    public int Archive(ObjectType type, IReadOnlyList<string> ids, ChangeSource source)
    {
        CountInputs(type, ids.Count, source);
        var now = Now();
        var changes = data.Store(type).Locked(w =>
        {
            var list = new List<RecordChange>();
            foreach (var id in ids)
            {
                if (ParseId(id) is not { } number || w.Live(number) is not { } current)
                    continue;
                var archived = w.Put(current with { ArchivedAt = now, UpdatedAt = now });
                list.Add(new RecordChange(ChangeKind.Archived, current.Id, current, archived, []));
            }

            return list;
        });
        Publish(type, changes, source, now);
        return changes.Count;
    }

    /// <summary>
    /// Merges <paramref name="mergedId"/> into <paramref name="primaryId"/>: the primary keeps its id and values and
    /// takes the other's values where it has none (unique values of the merged record are dropped), the associations
    /// move over, and the merged id from then on reads as the primary.
    /// </summary>
    public (CrmRecord? Primary, HubSpotError? Error) Merge(ObjectType type, string primaryId, string mergedId, ChangeSource source)
    {
        var now = Now();
        var change = data.Store(type).Locked(w =>
        {
            if (ParseId(primaryId) is not { } p || w.Live(p) is not { } primary)
                return ((RecordChange?)null, NotFound(type, primaryId));
            if (ParseId(mergedId) is not { } m || w.Live(m) is not { } merged)
                return (null, NotFound(type, mergedId));
            if (primary.Id == merged.Id)
                return (null, HubSpotError.Validation("Cannot merge an object with itself."));
            var properties = new Dictionary<string, string>(primary.Properties, StringComparer.Ordinal);
            var changed = new List<string>();
            foreach (var (name, value) in merged.Properties)
            {
                if (type.Properties[name] is { Unique: false, ReadOnly: false } && name != type.CreatedProperty && properties.TryAdd(name, value))
                    changed.Add(name);
            }

            var ids = (primary["hs_merged_object_ids"] is { } earlier ? earlier + ";" : "") + merged.Id.ToString(CultureInfo.InvariantCulture);
            properties["hs_merged_object_ids"] = ids;
            properties[type.LastModifiedProperty] = PropertyDefinition.Format(now);
            w.Remove(merged.Id, mergedInto: primary.Id);
            var after = w.Put(primary with { Properties = properties, UpdatedAt = now });
            return (new RecordChange(ChangeKind.Merged, primary.Id, primary, after, changed, [merged.Id]), (HubSpotError?)null);
        });
        if (change.Item1 is not { } merge)
            return (null, change.Item2);
        data.Associations.Move(type.Name, merge.MergedIds![0], merge.Id, data.Types.All.Select(t => t.Name));
        search.Removed(type, merge.MergedIds[0], now);
        Publish(type, [merge], source, now);
        return (merge.After, null);
    }

    /// <summary>A GDPR delete: the record leaves the portal for good (not restorable, not listed as archived).</summary>
    public bool PrivacyDelete(ObjectType type, string id, ChangeSource source)
    {
        var now = Now();
        var change = data.Store(type).Locked(w =>
        {
            if (ParseId(id) is not { } number || (w.Live(number) ?? w.Archived(number)) is not { } current)
                return null;
            w.Remove(current.Id);
            return new RecordChange(ChangeKind.PrivacyDeleted, current.Id, current, null, []);
        });
        if (change is null)
            return false;
        Publish(type, [change], source, now);
        return true;
    }

    /// <summary>A live record by id, or by a unique property's value.</summary>
    public static CrmRecord? Find(ObjectStore.Writer w, ObjectType type, string? id, string? idProperty) =>
        idProperty is null ? ParseId(id) is { } number ? w.Live(number) : null : id is null ? null : w.ByUnique(idProperty, NormalizeKey(type, idProperty, id));

    /// <summary>A unique property's value as the index holds it (emails in lower case).</summary>
    public static string NormalizeKey(ObjectType type, string property, string value) =>
        type.Properties.TryGetValue(property, out var definition) && definition.Name == "email" ? value.Trim().ToLowerInvariant() : value;

    public static long? ParseId(string? id) =>
        long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : null;

    public static HubSpotError NotFound(ObjectType type, string? id) =>
        new(StatusCodes.Status404NotFound, "OBJECT_NOT_FOUND",
            $"Could not get some {type.Singular.ToUpperInvariant()} objects, they may be deleted or not exist. Check that ids are valid.",
            new Dictionary<string, IReadOnlyList<string>> { ["ids"] = [id ?? ""] });

    /// <summary>One outcome per input, all under the type's lock at one timestamp; what changed is published after it.</summary>
    private List<InputOutcome> EachInput(
        ObjectType type, IReadOnlyList<WriteInput> inputs, ChangeSource source,
        Func<ObjectStore.Writer, WriteInput, DateTimeOffset, List<RecordChange>, InputOutcome> write)
    {
        CountInputs(type, inputs.Count, source);
        var now = Now();
        var changes = new List<RecordChange>(inputs.Count);
        var outcomes = data.Store(type).Locked(w => inputs.Select(input => write(w, input, now, changes)).ToList());
        Publish(type, changes, source, now);
        return outcomes;
    }

    private void CountInputs(ObjectType type, int count, ChangeSource source)
    {
        if (source.Name == ChangeSource.Integration)
            stats.Inputs(type, count);
    }

    private static HubSpotError Per(HubSpotError error, string id) =>
        error with { Context = new Dictionary<string, IReadOnlyList<string>> { ["ids"] = [id] } };

    /// <summary>A new record with its bookkeeping properties (also for seeding, which checks uniqueness itself).</summary>
    public static RecordChange Insert(ObjectStore.Writer w, ObjectType type, IReadOnlyDictionary<string, string?> input, DateTimeOffset now)
    {
        var id = w.NewId();
        var stamp = PropertyDefinition.Format(now);
        var properties = new Dictionary<string, string>(input.Count + 3, StringComparer.Ordinal);
        foreach (var (name, value) in input)
        {
            if (value is not null)
                properties[name] = value;
        }

        properties["hs_object_id"] = id.ToString(CultureInfo.InvariantCulture);
        properties.TryAdd(type.CreatedProperty, stamp);
        properties[type.LastModifiedProperty] = stamp;
        var record = w.Put(new CrmRecord(id, properties, now, now));
        return new RecordChange(ChangeKind.Created, id, null, record, [.. input.Where(p => p.Value is not null).Select(p => p.Key)]);
    }

    // Values equal to the stored ones change nothing: no new lastmodifieddate, no webhook (HubSpot records no change).
    private static InputOutcome Apply(
        ObjectStore.Writer w, ObjectType type, CrmRecord current, IReadOnlyDictionary<string, string?> input, DateTimeOffset now, List<RecordChange> changes)
    {
        if (w.Conflict(input, current.Id) is { } conflict)
            return new InputOutcome(null, false, Per(HubSpotError.Duplicate(type, conflict.Property, conflict.Value, conflict.HolderId), current.Id.ToString(CultureInfo.InvariantCulture)));
        var changed = input.Where(p => current[p.Key] != p.Value).Select(p => p.Key).ToList();
        if (changed.Count == 0)
            return new InputOutcome(current, false, null);
        var properties = new Dictionary<string, string>(current.Properties, StringComparer.Ordinal);
        foreach (var name in changed)
        {
            if (input[name] is { } value)
                properties[name] = value;
            else
                properties.Remove(name);
        }

        properties[type.LastModifiedProperty] = PropertyDefinition.Format(now);
        var after = w.Put(current with { Properties = properties, UpdatedAt = now });
        changes.Add(new RecordChange(ChangeKind.Updated, current.Id, current, after, changed));
        return new InputOutcome(after, false, null);
    }

    private void Publish(ObjectType type, IReadOnlyList<RecordChange> changes, ChangeSource source, DateTimeOffset at)
    {
        if (changes.Count == 0)
            return;
        foreach (var change in changes)
        {
            search.Changed(type, change, at);
            stats.Written(type, change.Kind);
        }

        webhooks.Changed(type, changes, source, at);
    }

    // HubSpot's timestamps carry milliseconds; stored and answered values agree to the millisecond.
    private DateTimeOffset Now()
    {
        var now = clock.GetUtcNow();
        return now.AddTicks(-(now.UtcTicks % TimeSpan.TicksPerMillisecond));
    }
}

/// <summary>One input of a batch update or upsert: <c>id</c> (record id, or the <c>idProperty</c> value) and its properties.</summary>
public sealed record WriteInput(string? Id, string? IdProperty, Dictionary<string, string?> Properties);

/// <summary>What became of one input: the record (and whether it was created), or its error.</summary>
public sealed record InputOutcome(CrmRecord? Record, bool Created, HubSpotError? Error);

/// <summary>Who made a change, as webhooks report it (<c>changeSource</c>, <c>sourceId</c>).</summary>
public sealed record ChangeSource(string Name, string? SourceId)
{
    public const string Integration = "INTEGRATION";
    public const string CrmUi = "CRM_UI";
}
