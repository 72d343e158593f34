using System.Globalization;
using System.Text.Json;

namespace Hub.Crm.HubSpot;

/// <summary>
/// Reads HubSpot's response bodies: records, paging, and batch answers mapped back to their inputs — a 207
/// (multi-status) carries <c>results</c> for the inputs that were applied and <c>errors</c> naming the others in
/// <c>context.ids</c>.
/// </summary>
internal static class HubSpotBatchReplies
{
    /// <summary>One result per upsert input, in input order, matched by the id property's value (HubSpot may reorder).</summary>
    public static IEnumerable<HubSpotRecordResult> Upserted(IReadOnlyList<string> idValues, string idProperty, HubSpotReply reply)
    {
        if (reply.Error is { } whole)
            return idValues.Select(v => HubSpotRecordResult.Failed(v, whole));

        var byValue = new Dictionary<string, HubSpotRecordResult>(StringComparer.OrdinalIgnoreCase);
        foreach (var result in Array(reply.Body, "results"))
        {
            var record = Object(result);
            if (record.Properties.TryGetValue(idProperty, out var value) && value is not null)
                byValue.TryAdd(value, new HubSpotRecordResult(value, record.Id, result.TryGetProperty("new", out var created) && created.ValueKind == JsonValueKind.True, record.Properties, null) { UpdatedAt = ModifiedAt(record) });
        }

        var errors = new BatchErrors(reply.Body, idValues);
        return [.. idValues.Select(v => byValue.TryGetValue(v, out var ok) ? ok with { Key = v } : HubSpotRecordResult.Failed(v, errors.For(v)))];
    }

    /// <summary>One result per update input, matched by HubSpot id.</summary>
    public static IEnumerable<HubSpotRecordResult> Updated(IReadOnlyList<string> ids, HubSpotReply reply)
    {
        if (reply.Error is { } whole)
            return ids.Select(id => HubSpotRecordResult.Failed(id, whole));
        var byId = Array(reply.Body, "results").Select(Object).ToDictionary(r => r.Id, StringComparer.Ordinal);
        var errors = new BatchErrors(reply.Body, ids);
        return [.. ids.Select(id => byId.TryGetValue(id, out var record)
            ? new HubSpotRecordResult(id, id, false, record.Properties, null) { UpdatedAt = ModifiedAt(record) }
            : HubSpotRecordResult.Failed(id, errors.For(id)))];
    }

    /// <summary>One result per pair: applied when HubSpot's results name the pair, else the error that names its from id, else the batch's error.</summary>
    public static IEnumerable<HubSpotAssociationResult> Associated(IReadOnlyList<HubSpotAssociation> pairs, HubSpotReply reply)
    {
        if (reply.Error is { } whole)
            return pairs.Select(p => new HubSpotAssociationResult(p, whole));

        var applied = new HashSet<(string, string)>();
        foreach (var result in Array(reply.Body, "results"))
        {
            var from = result.TryGetProperty("fromObjectId", out var f) || result.TryGetProperty("from", out f) ? Id(f) : null;
            var to = result.TryGetProperty("toObjectId", out var t) || result.TryGetProperty("to", out t) ? Id(t) : null;
            if (from is not null && to is not null)
                applied.Add((from, to));
        }

        var errors = new BatchErrors(reply.Body, [.. pairs.SelectMany(p => new[] { p.FromId, p.ToId })]);
        // A 200 without per-pair results (HubSpot's answer may omit them) means every pair was applied.
        var allApplied = reply.Status != System.Net.HttpStatusCode.MultiStatus && applied.Count == 0 && errors.None;
        return [.. pairs.Select(p => allApplied || applied.Contains((p.FromId, p.ToId)) ? new HubSpotAssociationResult(p, null)
            : new HubSpotAssociationResult(p, errors.For(p.FromId, p.ToId)))];
    }

    // An answer without updatedAt says nothing of when.
    private static DateTimeOffset? ModifiedAt(HubSpotObject record) => record.UpdatedAt == DateTimeOffset.MinValue ? null : record.UpdatedAt;

    public static HubSpotObject Object(JsonElement record)
    {
        var properties = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (record.TryGetProperty("properties", out var props) && props.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in props.EnumerateObject())
            {
                properties[property.Name] = property.Value.ValueKind switch
                {
                    JsonValueKind.Null or JsonValueKind.Undefined => null,
                    JsonValueKind.String => property.Value.GetString(),
                    _ => property.Value.GetRawText(),
                };
            }
        }

        return new HubSpotObject(
            Id(record.GetProperty("id")),
            properties,
            Instant(record, "createdAt") ?? DateTimeOffset.MinValue,
            Instant(record, "updatedAt") ?? DateTimeOffset.MinValue,
            record.TryGetProperty("archived", out var archived) && archived.ValueKind == JsonValueKind.True,
            Instant(record, "archivedAt"));
    }

    public static IEnumerable<JsonElement> Array(JsonElement? body, string name) =>
        body is { ValueKind: JsonValueKind.Object } b && b.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray()
            : [];

    /// <summary>HubSpot ids are strings in v3 and numbers in some v4 answers, or objects <c>{id}</c> (v4's <c>from</c>).</summary>
    public static string Id(JsonElement id) => id.ValueKind switch
    {
        JsonValueKind.String => id.GetString()!,
        JsonValueKind.Object when id.TryGetProperty("id", out var inner) => Id(inner),
        _ => id.GetRawText(),
    };

    public static string? NextAfter(JsonElement body) =>
        body.TryGetProperty("paging", out var paging) && paging.ValueKind == JsonValueKind.Object
        && paging.TryGetProperty("next", out var next) && next.ValueKind == JsonValueKind.Object
            ? HubSpotError.Text(next, "after")
            : null;

    private static DateTimeOffset? Instant(JsonElement record, string name) =>
        HubSpotError.Text(record, name) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant) ? instant : null;

    /// <summary>
    /// The <c>errors</c> of a 207, each given to the inputs its <c>context.ids</c> name. An error naming none of the
    /// inputs (no ids, or the record's HubSpot id where the input gave its id property's value) goes, in order, to
    /// the next input that nothing answered.
    /// </summary>
    private sealed class BatchErrors
    {
        private readonly Dictionary<string, HubSpotError> _byId = new(StringComparer.OrdinalIgnoreCase);
        private readonly Queue<HubSpotError> _unclaimed = new();
        private HubSpotError? _last;

        public BatchErrors(JsonElement? body, IReadOnlyCollection<string> inputIds)
        {
            var inputs = inputIds.ToHashSet(StringComparer.OrdinalIgnoreCase);
            foreach (var error in Array(body, "errors"))
            {
                var typed = HubSpotError.FromBatchError(error);
                var named = Ids(error).Where(inputs.Contains).ToList();
                if (named.Count == 0)
                    _unclaimed.Enqueue(typed);
                foreach (var id in named)
                    _byId.TryAdd(id, typed);
                None = false;
            }
        }

        public bool None { get; } = true;

        public HubSpotError For(params string[] ids)
        {
            foreach (var id in ids)
            {
                if (_byId.TryGetValue(id, out var named))
                    return named;
            }

            if (_unclaimed.TryDequeue(out var next))
                _last = next;
            return _last ?? new HubSpotError(HubSpotErrorCategory.Server, "HubSpot's answer did not mention this input.", true);
        }

        private static IEnumerable<string> Ids(JsonElement error) =>
            error.TryGetProperty("context", out var context) && context.ValueKind == JsonValueKind.Object
                ? context.EnumerateObject()
                    .Where(p => (p.Name is "ids" or "id") && p.Value.ValueKind == JsonValueKind.Array)
                    .SelectMany(p => p.Value.EnumerateArray())
                    .Where(i => i.ValueKind is JsonValueKind.String or JsonValueKind.Number)
                    .Select(Id)
                : [];
    }
}
