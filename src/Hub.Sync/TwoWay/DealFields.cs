namespace Hub.Sync.TwoWay;

/// <summary>
/// The two-way field table for projects ↔ deals. A deal's name and the project's classification flow back to the
/// project (a PATCH with If-Match); everything else on the deal is derived from the project (its stage from status
/// and teaser, its amount from the price, which HubSpot holds without its scale) and restored by the push. A deal's
/// existence is the project's: archiving it in HubSpot does not delete the project, and a deal created in HubSpot
/// makes no project (docs/two-way-rules.md).
/// </summary>
public static class DealFields
{
    public const string Name = "dealname";
    public const string Classification = "propstreet_classification";
    public const string HubSpotOwner = "hubspot_owner_id";

    public static TwoWayFields Table { get; } = new(
        "deal",
        [
            new(Name, "name", Equivalence.Text, 200),
            new(Classification, "classification", Equivalence.Text, null, ["draft", "active", "inactive"]),
            new("pipeline", null, Equivalence.Text, null),
            new("dealstage", null, Equivalence.Text, null),
            new("amount", null, Equivalence.Number, null),
            new("deal_currency_code", null, Equivalence.Text, null),
            new("closedate", null, Equivalence.Instant, null),
            new("propstreet_status", null, Equivalence.Text, null),
            new("propstreet_teaser_stage", null, Equivalence.Text, null),
            new("propstreet_property_count", null, Equivalence.Number, null),
        ],
        [HubSpotOwner],
        TwoWayFields.Mapped,
        deletionsFlowBack: false);
}
