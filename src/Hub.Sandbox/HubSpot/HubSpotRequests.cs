using System.Globalization;
using System.Text.Json;
using Hub.Sandbox.HubSpot.Objects;
using Hub.Sandbox.HubSpot.Schema;

namespace Hub.Sandbox.HubSpot;

/// <summary>What every HubSpot endpoint reads the same way: the JSON body, the object type, <c>properties=</c>, batch inputs.</summary>
public static class HubSpotRequests
{
    public const int MaxBatchInputs = 100;

    /// <summary>The body as JSON; unreadable JSON is HubSpot's 400 "Invalid input JSON …".</summary>
    public static async Task<(JsonElement Body, HubSpotError? Error)> ReadJsonAsync(HttpRequest request, CancellationToken ct)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: ct);
            return (document.RootElement.Clone(), null);
        }
        catch (JsonException e)
        {
            return (default, HubSpotError.Validation(
                $"Invalid input JSON on line {(e.LineNumber ?? 0) + 1}, column {(e.BytePositionInLine ?? 0) + 1}: {e.Message}"));
        }
    }

    public static (ObjectType? Type, HubSpotError? Error) Type(ObjectTypes types, string name) =>
        types.Resolve(name) is { } type ? (type, null) : (null, HubSpotError.UnknownObjectType(name));

    /// <summary><c>properties=a,b</c> and/or <c>properties=a&amp;properties=b</c>; unknown names are ignored on reads, as in HubSpot.</summary>
    public static List<string>? Properties(HttpRequest request, string name = "properties")
    {
        var values = request.Query[name];
        if (values.Count == 0)
            return null;
        return values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
    }

    /// <summary>A JSON array of strings (e.g. a batch read's <c>properties</c>), or null.</summary>
    public static List<string>? Strings(JsonElement body, string name) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
            : null;

    public static bool Flag(HttpRequest request, string name) =>
        bool.TryParse(request.Query[name].ToString(), out var value) && value;

    /// <summary><c>limit</c> (1 to <paramref name="max"/>) and the id an opaque <c>after</c> cursor starts at; a bad value is a 400.</summary>
    public static (int Limit, long From, HubSpotError? Error) Page(HttpRequest request, int defaultLimit, int max)
    {
        var limitText = request.Query["limit"].ToString();
        var limit = defaultLimit;
        if (limitText.Length > 0 && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > max))
            return (0, 0, HubSpotError.Validation($"limit must be a whole number from 1 to {max}; got {limitText}."));
        var after = request.Query["after"].ToString();
        if (after.Length == 0)
            return (limit, 0, null);
        return Paging.Decode(after) is { } from
            ? (limit, from, null)
            : (0, 0, HubSpotError.Validation($"after is not a paging cursor this API handed out: {after}. Pass paging.next.after unchanged."));
    }

    /// <summary>The <c>inputs</c> array of a batch body: required, at most 100.</summary>
    public static (List<JsonElement>? Inputs, HubSpotError? Error) Inputs(JsonElement body, int max = MaxBatchInputs)
    {
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("inputs", out var inputs) || inputs.ValueKind != JsonValueKind.Array)
            return (null, HubSpotError.Validation("Invalid input: the body must be an object with an \"inputs\" array."));
        var list = inputs.EnumerateArray().ToList();
        if (list.Count > max)
            return (null, HubSpotError.Validation($"Too many inputs: {list.Count}. A batch takes at most {max} inputs."));
        if (list.Any(i => i.ValueKind != JsonValueKind.Object))
            return (null, HubSpotError.Validation("Invalid input: every element of \"inputs\" must be an object."));
        return (list, null);
    }

    /// <summary>A string member, also when sent as a JSON number (ids often are).</summary>
    public static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;

    public static JsonElement Member(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : default;

    /// <summary>The idProperty must name a unique property of the type (HubSpot's own message otherwise).</summary>
    public static HubSpotError? CheckIdProperty(ObjectType type, string idProperty, long portalId) =>
        type.Properties.TryGetValue(idProperty, out var definition) && definition.Unique
            ? null
            : HubSpotError.Validation($"Unable to perform update/upsert by non-unique {type.TypeId} property {idProperty} in portal ID {portalId}");

    /// <summary>HubSpot's answer to the same record twice in one batch.</summary>
    public static HubSpotError? CheckDuplicates(IEnumerable<string?> ids)
    {
        var duplicates = ids.Where(i => i is not null).GroupBy(i => i, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        return duplicates.Count == 0 ? null : HubSpotError.Validation($"Duplicate IDs found in batch input: [{string.Join(", ", duplicates)}]. IDs must be unique");
    }

    public static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary>Batch answers: <c>{status, results, numErrors?, errors?, startedAt, completedAt}</c>, 207 when some inputs failed.</summary>
    public static IResult BatchResult(IReadOnlyList<object> results, IReadOnlyList<HubSpotError> errors, DateTimeOffset startedAt, TimeProvider clock, int okStatus)
    {
        var completed = PropertyDefinition.Format(clock.GetUtcNow());
        var started = PropertyDefinition.Format(startedAt);
        return errors.Count == 0
            ? HubSpotJson.Ok(new BatchResponse("COMPLETE", results, null, null, started, completed), okStatus)
            : HubSpotJson.Ok(new BatchResponse("COMPLETE", results, errors.Count, errors, started, completed), StatusCodes.Status207MultiStatus);
    }

    /// <summary>Per-input errors of one category are reported as one error listing all their ids, as HubSpot does.</summary>
    public static List<HubSpotError> Grouped(IEnumerable<HubSpotError> errors) =>
        errors.GroupBy(e => (e.Category, e.Message))
            .Select(g => g.First() with
            {
                Context = new Dictionary<string, IReadOnlyList<string>>
                {
                    ["ids"] = [.. g.SelectMany(e => e.Context?.GetValueOrDefault("ids") ?? [])],
                },
            })
            .ToList();
}

public sealed record BatchResponse(
    string Status,
    IReadOnlyList<object> Results,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] int? NumErrors,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<HubSpotError>? Errors,
    string StartedAt,
    string CompletedAt);
