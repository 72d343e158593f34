namespace Hub.Sync.TwoWay;

/// <summary>
/// The two-way field table for contacts, in HubSpot property space (a Propstreet contact as
/// <see cref="HubSpot.HubSpotMapping"/> maps it; a HubSpot contact's properties as read). Each property either flows
/// back to Propstreet as an upsert field or is derived from Propstreet and never written back. HubSpot's own
/// properties without a Propstreet field (owner, lifecycle stage) are not compared: the push never sends them
/// (docs/two-way-rules.md).
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

    public static TwoWayFields Table { get; } = new(
        "contact",
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
        ],
        [HubSpotOwner, LifecycleStage],
        TwoWayFields.Mapped);

    /// <summary>Every compared property, in the order decisions list them.</summary>
    public static IReadOnlyList<TwoWayField> All => Table.All;

    public static TwoWayField? Find(string property) => Table.Find(property);

    public static bool Same(string property, string? a, string? b) => Table.Same(property, a, b);

    public static PropstreetChanges ToPropstreetChanges(IReadOnlyDictionary<string, string> hubspotValues) => Table.ToPropstreetChanges(hubspotValues);
}
