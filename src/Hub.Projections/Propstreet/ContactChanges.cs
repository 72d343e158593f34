using System.Text.Json.Nodes;
using Hub.Sync.Propstreet;
using Hub.Sync.TwoWay;

namespace Hub.Projections.Propstreet;

/// <summary>
/// The fields of a contact upsert the hub writes back. For each: <c>null</c> leaves Propstreet's value as it is (the
/// field is not sent); an empty or blank string clears it (sent as JSON <c>null</c>, the documented "null | string"
/// — HubSpot too holds a cleared property as ""); any other value replaces it. <see cref="Tags"/>: null leaves the
/// tags, a list replaces them (empty clears; arrays are never merged).
/// </summary>
public sealed record ContactChanges
{
    public string? FirstName { get; init; }

    public string? LastName { get; init; }

    /// <summary>The primary email; sent trimmed and lower-cased.</summary>
    public string? Email { get; init; }

    /// <summary>The primary phone; sent in E.164 where it parses (national numbers read as Swedish), as Propstreet stores it.</summary>
    public string? Phone { get; init; }

    /// <summary>The investment strategy.</summary>
    public string? Strategy { get; init; }

    /// <summary>All tags (trimmed; blanks and case-insensitive repeats dropped).</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>Documented limits of the upsert body (characters, after normalisation): the two-way field table's.</summary>
    internal static readonly IReadOnlyDictionary<string, int> MaxLengths = ContactFields.All
        .Where(f => f.PropstreetField is not null && f.MaxLength is not null)
        .ToDictionary(f => f.PropstreetField!, f => f.MaxLength!.Value, StringComparer.Ordinal);

    /// <summary>The two-way field table by upsert field: how each value is normalised as Propstreet stores it.</summary>
    private static readonly IReadOnlyDictionary<string, TwoWayField> Fields = ContactFields.All
        .Where(f => f.PropstreetField is not null).ToDictionary(f => f.PropstreetField!, StringComparer.Ordinal);

    /// <summary>
    /// The write-back of HubSpot's winning values: the upsert fields <see cref="ContactFields.ToPropstreetChanges"/>
    /// made of them (an emptied value clears the field).
    /// </summary>
    public static ContactChanges From(PropstreetChanges changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        string? Text(string field) => changes.Fields.TryGetValue(field, out var value) ? value as string ?? "" : null;
        return new ContactChanges
        {
            FirstName = Text("firstName"),
            LastName = Text("lastName"),
            Email = Text("email"),
            Phone = Text("phone"),
            Strategy = Text("strategy"),
            Tags = changes.Fields.TryGetValue("tags", out var tags) ? tags as IReadOnlyList<string> ?? [] : null,
        };
    }

    /// <summary>
    /// The upsert body: only the fields set, normalised (phone in E.164, email lower-case, text trimmed). A value
    /// over its documented limit is not truncated — the body is refused with the field named, and nothing is sent.
    /// </summary>
    internal (JsonObject? Body, PropstreetWriteResult.Invalid? Invalid) ToBody()
    {
        var body = new JsonObject();
        foreach (var (field, raw) in new[] { ("firstName", FirstName), ("lastName", LastName), ("email", Email), ("phone", Phone), ("strategy", Strategy) })
        {
            if (raw is null)
                continue;
            var value = Fields[field].AsPropstreetStores(raw);
            if (value.Length > MaxLengths[field])
                return (null, TooLong(field, value.Length, MaxLengths[field]));
            body[field] = value.Length == 0 ? null : value;
        }

        if (Tags is { } tags)
        {
            var kept = new List<string>();
            foreach (var tag in tags.Select(t => t?.Trim() ?? ""))
            {
                if (tag.Length > 0 && !kept.Contains(tag, StringComparer.OrdinalIgnoreCase))
                    kept.Add(tag);
            }

            body["tags"] = new JsonArray([.. kept.Select(t => (JsonNode)JsonValue.Create(t))]);
        }

        return (body, null);
    }

    internal static PropstreetWriteResult.Invalid TooLong(string field, int length, int max) =>
        new(field, $"{field} is {length} characters; Propstreet takes at most {max}. Nothing was sent.");
}
