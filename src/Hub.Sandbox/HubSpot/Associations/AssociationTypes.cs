namespace Hub.Sandbox.HubSpot.Associations;

/// <summary>
/// One direction of an association type: HubSpot's documented ids for the standard objects (contact→company 279
/// unlabeled and 1 primary, deal→contact 3, deal→company 341 unlabeled and 5 primary, and their reverses), and
/// the sandbox portal's ids for the listings custom object (per portal in HubSpot).
/// </summary>
public sealed record AssociationType(string From, string To, int TypeId, int InverseTypeId, string? Label, bool IsDefault, bool IsPrimary)
{
    public const string HubSpotDefined = "HUBSPOT_DEFINED";

    public string Category => HubSpotDefined;
}

public static class AssociationTypes
{
    private static readonly AssociationType[] All = Pairs(
        ("contacts", "companies", 279, 280, null, true, false),
        ("contacts", "companies", 1, 2, "Primary", false, true),
        ("deals", "contacts", 3, 4, null, true, false),
        ("deals", "companies", 341, 342, null, true, false),
        ("deals", "companies", 5, 6, "Primary", false, true),
        ("listings", "contacts", 1001, 1002, null, true, false),
        ("listings", "deals", 1003, 1004, null, true, false),
        ("listings", "companies", 1005, 1006, null, true, false));

    /// <summary>The type with this id from one object type to another, or null when the pair has no such type.</summary>
    public static AssociationType? Find(string from, string to, int typeId) =>
        All.FirstOrDefault(t => t.From == from && t.To == to && t.TypeId == typeId);

    /// <summary>The unlabeled type between two object types (what "associate default" creates).</summary>
    public static AssociationType? Default(string from, string to) =>
        All.FirstOrDefault(t => t.From == from && t.To == to && t.IsDefault);

    public static AssociationType Get(string from, string to, int typeId) => Find(from, to, typeId)!;

    // Each pair is declared once and served in both directions; the primary direction's label is "Primary" both ways.
    private static AssociationType[] Pairs(params (string From, string To, int Id, int Inverse, string? Label, bool Default, bool Primary)[] pairs) =>
    [
        .. pairs.Select(p => new AssociationType(p.From, p.To, p.Id, p.Inverse, p.Label, p.Default, p.Primary)),
        .. pairs.Select(p => new AssociationType(p.To, p.From, p.Inverse, p.Id, p.Label, p.Default, false)),
    ];
}
