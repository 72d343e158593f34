using Hub.Sync.HubSpot;

namespace Hub.Sync.TwoWay;

/// <summary>
/// The two-way field table for prospects ↔ deal associations. A prospect is pushed as the association of its
/// project's deal with its contact (or company), labelled with its classification; a label a user sets in HubSpot
/// flows back as the prospect's classification (a PATCH with If-Match). A pair without a classification label holds
/// no value (an unlabelled association says nothing about the stage). Several classification labels on one pair are
/// HubSpot's value as they stand, which Propstreet refuses (the decision is parked with the reason). The association's
/// existence is the prospect's (docs/two-way-rules.md).
/// </summary>
public static class ProspectFields
{
    /// <summary>The prospect's classification, as the label of the deal's association names it.</summary>
    public const string Classification = "prospect_classification";

    /// <summary>On an observed association (Ingest): its user-defined labels, sorted, ';'-separated.</summary>
    public const string Labels = "labels";

    /// <summary>Propstreet's prospect stages, in pipeline order.</summary>
    public static IReadOnlyList<string> Classifications { get; } = ["not_contacted", "contacted", "interested", "not_interested", "bidder"];

    public static TwoWayFields Table { get; } = new(
        "prospect",
        [new(Classification, "classification", Equivalence.Text, null, Classifications, UnsetInHubSpotIsNoValue: true)],
        [],
        state => new Dictionary<string, string> { [Classification] = HubSpotMapping.Map(state)?.Link?.Label ?? "" },
        state => new Dictionary<string, string> { [Classification] = FromLabels(TwoWayFields.Strings(state.Fields).GetValueOrDefault(Labels)) },
        deletionsFlowBack: false);

    /// <summary>
    /// The classification an association's labels name: the one label naming a stage; several as they stand
    /// (';'-separated, which no stage is); "" when none does.
    /// </summary>
    public static string FromLabels(string? labels) =>
        string.Join(';', TwoWayFields.SplitTags(labels)
            .Select(label => Classifications.FirstOrDefault(c => HubSpotMapping.IsLabelFor(label, c)))
            .OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
}
