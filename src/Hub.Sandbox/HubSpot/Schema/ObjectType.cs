namespace Hub.Sandbox.HubSpot.Schema;

/// <summary>
/// One CRM object type: its names in paths (<c>contacts</c>, <c>contact</c>, <c>0-1</c>), its properties, which of
/// them the API returns when none are asked for, and its bookkeeping properties (contacts keep
/// <c>lastmodifieddate</c>, companies and deals <c>hs_lastmodifieddate</c>, custom objects <c>hs_createdate</c> too).
/// </summary>
public sealed class ObjectType
{
    public required string Name { get; init; }

    /// <summary>Singular, as in webhook subscription types (<c>contact.creation</c>) and association labels.</summary>
    public required string Singular { get; init; }

    public required string TypeId { get; init; }

    public required string CreatedProperty { get; init; }

    public required string LastModifiedProperty { get; init; }

    public required IReadOnlyDictionary<string, PropertyDefinition> Properties { get; init; }

    /// <summary>Returned when a read names no properties.</summary>
    public required IReadOnlyList<string> DefaultProperties { get; init; }

    /// <summary>Other names the path may use (e.g. <c>p62515_listings</c>).</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>Returned on every read besides the requested properties.</summary>
    public IReadOnlyList<string> AlwaysReturned => [CreatedProperty, "hs_object_id", LastModifiedProperty];

    public IEnumerable<PropertyDefinition> UniqueProperties => Properties.Values.Where(p => p.Unique);

    /// <summary>"Contact", "Company", "Deal", "Listing": for messages.</summary>
    public string Label => char.ToUpperInvariant(Singular[0]) + Singular[1..];
}
