using Hub.Sync.Propstreet;

namespace Hub.Sync.TwoWay;

/// <summary>
/// The two-way field table for contacts, in HubSpot property space (a Propstreet contact as
/// <see cref="HubSpot.HubSpotMapping"/> maps it; a HubSpot contact's properties as read). Each property either flows
/// back to Propstreet as an upsert field or is derived from Propstreet and never written back. HubSpot's own
/// properties without a Propstreet field (owner, lifecycle stage) are not in the table: the push never sends them,
/// so there is nothing to compare (docs/two-way-rules.md).
/// </summary>
public static class ContactFields
{
    public const string FirstName = "firstname";
    public const string LastName = "lastname";
    public const string Email = "email";
    public const string Phone = "phone";
    public const string JobTitle = "jobtitle";
    public const string Company = "company";
    public const string Tags = "propstreet_tags";
    public const string Strategy = "propstreet_strategy";
    public const string Uri = "propstreet_uri";

    /// <summary>HubSpot's own properties: HubSpot owns them, Propstreet has no field for them, they are never compared.</summary>
    public const string HubSpotOwner = "hubspot_owner_id";
    public const string LifecycleStage = "lifecyclestage";

    /// <summary>Every compared property, in the order decisions list them.</summary>
    public static IReadOnlyList<ContactField> All { get; } =
    [
        new(FirstName, "firstName", Equivalence.Text, 100),
        new(LastName, "lastName", Equivalence.Text, 100),
        new(Email, "email", Equivalence.Email, 254),
        new(Phone, "phone", Equivalence.Phone, 20),
        new(JobTitle, null, Equivalence.Text, null),
        new(Company, null, Equivalence.Text, null),
        new(Tags, "tags", Equivalence.TagSet, null),
        new(Strategy, "strategy", Equivalence.Text, 4000),
        new(Uri, null, Equivalence.Text, null),
    ];

    /// <summary>Properties HubSpot owns that the two-way rule leaves alone (never compared, never pushed).</summary>
    public static IReadOnlyList<string> HubSpotOnly { get; } = [HubSpotOwner, LifecycleStage];

    private static readonly Dictionary<string, ContactField> ByProperty = All.ToDictionary(f => f.Property, StringComparer.Ordinal);

    public static ContactField? Find(string property) => ByProperty.GetValueOrDefault(property);

    /// <summary>Whether two values of <paramref name="property"/> are one value (no conflict); unknown properties compare as trimmed text.</summary>
    public static bool Same(string property, string? a, string? b) =>
        (Find(property)?.Equivalence ?? Equivalence.Text) switch
        {
            Equivalence.Email => string.Equals(a?.Trim() ?? "", b?.Trim() ?? "", StringComparison.OrdinalIgnoreCase),
            Equivalence.Phone => Phones.Same(a, b),
            Equivalence.TagSet => SplitTags(a).SetEquals(SplitTags(b)),
            _ => string.Equals(a?.Trim() ?? "", b?.Trim() ?? "", StringComparison.Ordinal),
        };

    /// <summary>
    /// The Propstreet upsert body fields for the HubSpot values that won (<see cref="TwoWayDecision.ToPropstreet"/>):
    /// Propstreet field name → value (a string, null to clear, or for tags a list). Propstreet-derived properties
    /// are skipped. A value over Propstreet's length limit is left out and listed in
    /// <see cref="PropstreetChanges.TooLong"/>: Propstreet keeps its value rather than the whole write failing or
    /// the value being cut.
    /// </summary>
    public static PropstreetChanges ToPropstreetChanges(IReadOnlyDictionary<string, string> hubspotValues)
    {
        ArgumentNullException.ThrowIfNull(hubspotValues);
        var fields = new Dictionary<string, object?>(StringComparer.Ordinal);
        var tooLong = new List<FieldTooLong>();
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
                tooLong.Add(new FieldTooLong(field.Property, name, value.Length, max));
            else
                fields[name] = value.Length == 0 ? null : value;
        }

        return new PropstreetChanges(fields, tooLong);
    }

    /// <summary>HubSpot's multi-select value as a set: split on ';', trimmed, empties dropped.</summary>
    public static HashSet<string> SplitTags(string? value) =>
        new((value ?? "").Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
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
}

/// <summary>
/// One compared HubSpot property: <see cref="PropstreetField"/> is the upsert field it is written back as, or null
/// when it is derived from Propstreet (Propstreet always wins it; the push restores HubSpot).
/// <see cref="MaxLength"/> is Propstreet's documented limit for the upsert field.
/// </summary>
public sealed record ContactField(string Property, string? PropstreetField, Equivalence Equivalence, int? MaxLength)
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

/// <summary>What a write-back sends (<see cref="Fields"/>) and what it cannot send (<see cref="TooLong"/>).</summary>
public sealed record PropstreetChanges(IReadOnlyDictionary<string, object?> Fields, IReadOnlyList<FieldTooLong> TooLong);

/// <summary>A HubSpot value longer than Propstreet accepts for <see cref="PropstreetField"/>.</summary>
public sealed record FieldTooLong(string Property, string PropstreetField, int Length, int MaxLength);
