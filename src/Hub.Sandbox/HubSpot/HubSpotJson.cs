using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Hub.Sandbox.HubSpot.Objects;
using Hub.Sandbox.HubSpot.Schema;

namespace Hub.Sandbox.HubSpot;

/// <summary>HubSpot's JSON: camelCase, timestamps as <c>2019-10-30T03:30:17.883Z</c>, ids and property values as strings.</summary>
public static class HubSpotJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static IResult Ok(object body, int status = StatusCodes.Status200OK) =>
        Results.Json(body, Options, "application/json;charset=utf-8", status);

    /// <summary>
    /// A record as the API answers it: the requested properties (null when the record has no value), or the type's
    /// defaults when none were requested, always with the created/modified/id bookkeeping properties; keys sorted.
    /// </summary>
    public static ObjectView View(ObjectType type, CrmRecord record, IReadOnlyCollection<string>? requested, bool? isNew = null)
    {
        var names = requested is { Count: > 0 }
            ? requested.Where(type.Properties.ContainsKey).Concat(type.AlwaysReturned)
            : type.DefaultProperties;
        var properties = new SortedDictionary<string, string?>(StringComparer.Ordinal);
        foreach (var name in names)
            properties[name] = record[name];
        return new ObjectView(
            record.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            properties,
            PropertyDefinition.Format(record.CreatedAt),
            PropertyDefinition.Format(record.UpdatedAt),
            record.Archived,
            record.ArchivedAt is { } at ? PropertyDefinition.Format(at) : null,
            isNew);
    }

    /// <summary>A record as a write answers it: every property that has a value.</summary>
    public static ObjectView WrittenView(CrmRecord record, bool? isNew = null) =>
        new(
            record.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            new SortedDictionary<string, string?>(record.Properties.ToDictionary(p => p.Key, p => (string?)p.Value), StringComparer.Ordinal),
            PropertyDefinition.Format(record.CreatedAt),
            PropertyDefinition.Format(record.UpdatedAt),
            record.Archived,
            record.ArchivedAt is { } at ? PropertyDefinition.Format(at) : null,
            isNew);
}

public sealed record ObjectView(
    string Id,
    IReadOnlyDictionary<string, string?> Properties,
    string CreatedAt,
    string UpdatedAt,
    bool Archived,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ArchivedAt,
    [property: JsonPropertyName("new"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? New = null);
