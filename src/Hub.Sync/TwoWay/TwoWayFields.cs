using System.Globalization;
using System.Text.Json;
using Hub.Sync.HubSpot;
using Hub.Sync.Propstreet;
using Hub.Sync.Records;

namespace Hub.Sync.TwoWay;

/// <summary>
/// The two-way field table of one kind of record (contacts, deals, prospects), in HubSpot property space: the
/// compared properties, how each side's record state reads as them, and what may flow back to Propstreet. The rule
/// (<see cref="TwoWayMerge"/>), the sides (<see cref="TwoWaySides"/>), the clocks and the push rule take the table, so
/// one rule settles every kind (docs/two-way-rules.md has the tables).
/// </summary>
public sealed class TwoWayFields
{
    private readonly Dictionary<string, TwoWayField> _byProperty;
    private readonly Func<SourceRecord, IReadOnlyDictionary<string, string>> _propstreet;
    private readonly Func<SourceRecord, IReadOnlyDictionary<string, string>> _hubSpot;

    /// <param name="kind">What the records are, as reasons name them ("contact", "deal", "prospect").</param>
    /// <param name="all">Every compared property, in the order decisions list them.</param>
    /// <param name="hubSpotOnly">HubSpot's own properties: HubSpot owns them, Propstreet has no field for them, never compared.</param>
    /// <param name="propstreet">A Propstreet record state as HubSpot properties (the mapping).</param>
    /// <param name="hubSpot">A HubSpot record state (an observed object or association) as HubSpot properties.</param>
    /// <param name="deletionsFlowBack">
    /// Whether a deletion in HubSpot may delete the Propstreet record; when not, the record's existence is Propstreet's
    /// and a HubSpot deletion is undone by the push.
    /// </param>
    public TwoWayFields(
        string kind,
        IReadOnlyList<TwoWayField> all,
        IReadOnlyList<string> hubSpotOnly,
        Func<SourceRecord, IReadOnlyDictionary<string, string>> propstreet,
        Func<SourceRecord, IReadOnlyDictionary<string, string>>? hubSpot = null,
        bool deletionsFlowBack = true)
    {
        Kind = kind;
        All = all;
        HubSpotOnly = hubSpotOnly;
        DeletionsFlowBack = deletionsFlowBack;
        _propstreet = propstreet;
        _hubSpot = hubSpot ?? (state => Strings(state.Fields));
        _byProperty = all.ToDictionary(f => f.Property, StringComparer.Ordinal);
    }

    public string Kind { get; }

    public IReadOnlyList<TwoWayField> All { get; }

    public IReadOnlyList<string> HubSpotOnly { get; }

    public bool DeletionsFlowBack { get; }

    /// <summary>Every table: the ownership configuration and the decisions' history name properties of any of them.</summary>
    public static IReadOnlyList<TwoWayFields> Tables => [ContactFields.Table, DealFields.Table, ProspectFields.Table];

    public TwoWayField? Find(string property) => _byProperty.GetValueOrDefault(property);

    /// <summary>A Propstreet record state's compared properties ("" where it has none).</summary>
    public IReadOnlyDictionary<string, string> FromPropstreet(SourceRecord state) => Compared(_propstreet(state));

    /// <summary>A HubSpot record state's compared properties ("" where it has none).</summary>
    public IReadOnlyDictionary<string, string> FromHubSpot(SourceRecord state) => Compared(_hubSpot(state));

    /// <summary>The compared properties of a HubSpot object as read (null values read as "").</summary>
    public IReadOnlyDictionary<string, string> AsRead(IReadOnlyDictionary<string, string?> properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        return All.ToDictionary(f => f.Property, f => properties.GetValueOrDefault(f.Property) ?? "", StringComparer.Ordinal);
    }

    /// <summary>Whether two values of <paramref name="property"/> are one value (no conflict); unknown properties compare as trimmed text.</summary>
    public bool Same(string property, string? a, string? b) => Equivalent(Find(property)?.Equivalence ?? Equivalence.Text, a, b);

    /// <summary>Whether two values are one under <paramref name="equivalence"/>.</summary>
    public static bool Equivalent(Equivalence equivalence, string? a, string? b) => equivalence switch
    {
        Equivalence.Email => string.Equals(a?.Trim() ?? "", b?.Trim() ?? "", StringComparison.OrdinalIgnoreCase),
        Equivalence.Phone => Phones.Same(a, b),
        Equivalence.TagSet => SplitTags(a).SetEquals(SplitTags(b)),
        Equivalence.Number => Parsed(a, b, Number) is var (x, y) ? x == y : Equivalent(Equivalence.Text, a, b),
        Equivalence.Instant => Parsed(a, b, Instant) is var (x, y) ? x == y : Equivalent(Equivalence.Text, a, b),
        _ => string.Equals(a?.Trim() ?? "", b?.Trim() ?? "", StringComparison.Ordinal),
    };

    /// <summary>
    /// The Propstreet write fields for the HubSpot values that won (<see cref="TwoWayDecision.ToPropstreet"/>):
    /// Propstreet field name → value (a string, null to clear, or for tags a list). Propstreet-derived properties
    /// are skipped. A value over Propstreet's length limit, or outside the values Propstreet takes, is left out and
    /// listed in <see cref="PropstreetChanges.Refused"/>: Propstreet keeps its value rather than the whole write
    /// failing or the value being cut.
    /// </summary>
    public PropstreetChanges ToPropstreetChanges(IReadOnlyDictionary<string, string> hubspotValues)
    {
        ArgumentNullException.ThrowIfNull(hubspotValues);
        var fields = new Dictionary<string, object?>(StringComparer.Ordinal);
        var refused = new List<FieldRefused>();
        foreach (var field in All)
        {
            if (field.PropstreetField is not { } name || !hubspotValues.TryGetValue(field.Property, out var raw))
                continue;
            if (field.Equivalence == Equivalence.TagSet)
            {
                fields[name] = SplitTags(raw).Order(StringComparer.Ordinal).ToList();
                continue;
            }

            var value = field.AsPropstreetStores(raw);
            if (field.MaxLength is { } max && value.Length > max)
                refused.Add(new FieldRefused(field.Property, name, $"is {value.Length} characters; Propstreet's {name} takes at most {max}"));
            else if (field.Allowed is { } allowed && !allowed.Contains(value, StringComparer.Ordinal))
                refused.Add(new FieldRefused(field.Property, name,
                    $"is '{value}'; Propstreet's {name} takes {(value.Length == 0 ? "no empty value" : "only")} {string.Join(", ", allowed)}"));
            else
                fields[name] = value.Length == 0 ? null : value;
        }

        return new PropstreetChanges(fields, refused);
    }

    private static (T, T)? Parsed<T>(string? a, string? b, Func<string, T?> parse) where T : struct =>
        parse(a?.Trim() ?? "") is { } x && parse(b?.Trim() ?? "") is { } y ? (x, y) : null;

    private static decimal? Number(string value) =>
        decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>HubSpot's instants: epoch milliseconds in properties, ISO 8601 elsewhere.</summary>
    private static DateTimeOffset? Instant(string value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
        : value.Length > 0 && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at
        : null;

    /// <summary>HubSpot's multi-select value as a set: split on ';', trimmed, empties dropped.</summary>
    public static HashSet<string> SplitTags(string? value) =>
        new((value ?? "").Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);

    private Dictionary<string, string> Compared(IReadOnlyDictionary<string, string> properties) =>
        All.ToDictionary(f => f.Property, f => properties.GetValueOrDefault(f.Property) ?? "", StringComparer.Ordinal);

    /// <summary>A record's string fields (HubSpot observations are flat objects of strings).</summary>
    public static Dictionary<string, string> Strings(JsonElement fields)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (fields.ValueKind != JsonValueKind.Object)
            return values;
        foreach (var property in fields.EnumerateObject())
            if (property.Value.ValueKind == JsonValueKind.String)
                values[property.Name] = property.Value.GetString() ?? "";
        return values;
    }

    /// <summary>The mapped properties of a Propstreet record (<see cref="HubSpotMapping.Map"/>).</summary>
    internal static IReadOnlyDictionary<string, string> Mapped(SourceRecord state) =>
        HubSpotMapping.Map(state)?.Properties ?? new Dictionary<string, string>();
}

/// <summary>How two values of a field are compared.</summary>
public enum Equivalence
{
    /// <summary>Ordinal after trimming; null and "" are one value.</summary>
    Text,
    /// <summary>Trimmed, case-insensitive.</summary>
    Email,
    /// <summary>Same E.164 number (<see cref="Phones.Same"/>).</summary>
    Phone,
    /// <summary>';'-separated values as a set.</summary>
    TagSet,
    /// <summary>The same decimal number (<c>150</c> = <c>150.0</c>); text otherwise.</summary>
    Number,
    /// <summary>The same instant (epoch milliseconds = ISO 8601); text otherwise.</summary>
    Instant,
}

/// <summary>
/// One compared HubSpot property: <see cref="PropstreetField"/> is the field it is written back as, or null when it is
/// derived from Propstreet (Propstreet always wins it; the push restores HubSpot). <see cref="MaxLength"/> and
/// <see cref="Allowed"/> are Propstreet's documented limits for the field. <see cref="UnsetInHubSpotIsNoValue"/>: an
/// empty HubSpot value means HubSpot holds nothing for it (a prospect's pair without a classification label), not that
/// a user cleared it, so it never wins.
/// </summary>
public sealed record TwoWayField(
    string Property, string? PropstreetField, Equivalence Equivalence, int? MaxLength, IReadOnlyList<string>? Allowed = null, bool UnsetInHubSpotIsNoValue = false)
{
    public bool FlowsBack => PropstreetField is not null;

    /// <summary>A text value as Propstreet stores it: a phone in E.164, an e-mail lower-case, anything trimmed.</summary>
    public string AsPropstreetStores(string raw) => Equivalence switch
    {
        Equivalence.Phone => Phones.Normalize(raw),
        Equivalence.Email => raw.Trim().ToLowerInvariant(),
        _ => raw.Trim(),
    };
}

/// <summary>What a write-back sends (<see cref="Fields"/>) and what Propstreet would refuse (<see cref="Refused"/>).</summary>
public sealed record PropstreetChanges(IReadOnlyDictionary<string, object?> Fields, IReadOnlyList<FieldRefused> Refused);

/// <summary>A HubSpot value Propstreet's <see cref="PropstreetField"/> does not take; <see cref="Why"/> says why, after "HubSpot's {property} ".</summary>
public sealed record FieldRefused(string Property, string PropstreetField, string Why);
