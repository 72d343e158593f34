using System.Text.Json;
using Hub.Sync.Records;
using Hub.Sync.TwoWay;

namespace Hub.Sync.Tests.TwoWay;

public sealed class ProspectFieldsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);

    private static SourceRecord Prospect(int minute, string classification) => new(
        "propstreet-prospect-7:70", "propstreet", "main", "prospect", "7:70", T0.AddMinutes(minute), null, null, false,
        JsonSerializer.SerializeToElement(new { id = "70", projectId = "7", contactId = "3", classification }), minute);

    private static SourceRecord Association(int minute, string labels) => new(
        "hubspot-association-deal-512-contact-33", "hubspot", "main", "association", "deal-512-contact-33", T0.AddMinutes(minute), null, null, false,
        JsonSerializer.SerializeToElement(new { dealId = "512", toObjectType = "contacts", toObjectId = "33", labels }), minute);

    private static TwoWayDecision Decide(SourceRecord[] prospects, SourceRecord[] associations, IReadOnlyDictionary<string, string>? baseline = null)
    {
        var (p, h) = TwoWaySides.Both(ProspectFields.Table, prospects, associations, baseline);
        return TwoWayMerge.Decide(ProspectFields.Table, p, h, baseline, FieldOwnership.Default, T0.AddMinutes(100));
    }

    [Theory]
    [InlineData("Interested", "interested")]
    [InlineData("Not interested", "not_interested")]
    [InlineData("not-contacted;Primary", "not_contacted")]
    [InlineData("Primary", "")]
    [InlineData("", "")]
    [InlineData("Bidder;Interested", "bidder;interested")]
    public void An_associations_labels_name_the_prospects_classification(string labels, string classification) =>
        Assert.Equal(classification, ProspectFields.FromLabels(labels));

    [Fact]
    public void A_label_a_user_set_in_HubSpot_reclassifies_the_prospect()
    {
        var decision = Decide([Prospect(0, "contacted")], [Association(1, "Contacted"), Association(9, "Bidder")],
            new Dictionary<string, string> { [ProspectFields.Classification] = "contacted" });

        Assert.Equal(new Dictionary<string, string> { [ProspectFields.Classification] = "bidder" }, decision.ToPropstreet);
        Assert.Equal(new Dictionary<string, object?> { ["classification"] = "bidder" }, ProspectFields.Table.ToPropstreetChanges(decision.ToPropstreet).Fields);
    }

    [Fact]
    public void The_echo_of_the_push_of_an_older_classification_never_wins_over_a_newer_one()
    {
        // Propstreet: contacted (0), interested (5), bidder (8); the push of interested reached HubSpot at minute 9.
        var decision = Decide([Prospect(0, "contacted"), Prospect(5, "interested"), Prospect(8, "bidder")],
            [Association(1, "Contacted"), Association(9, "Interested")]);

        Assert.Equal(Winner.Propstreet, decision.Fields.Single().Winner);
        Assert.Empty(decision.ToPropstreet);
    }

    [Fact]
    public void A_pair_without_a_classification_label_holds_nothing_to_write_back()
    {
        var decision = Decide([Prospect(0, "interested")], [Association(9, "Primary")]);

        Assert.True(decision.Nothing);
        Assert.Equal(DecisionRule.NoHubSpotValue, decision.Fields.Single().Rule);
    }

    [Fact]
    public void Several_classification_labels_on_one_pair_are_refused_with_the_reason()
    {
        var decision = Decide([Prospect(0, "interested")], [Association(1, "Interested"), Association(9, "Bidder;Interested")],
            new Dictionary<string, string> { [ProspectFields.Classification] = "interested" });

        var changes = ProspectFields.Table.ToPropstreetChanges(decision.ToPropstreet);
        Assert.Empty(changes.Fields);
        Assert.Contains("bidder;interested", Assert.Single(changes.Refused).Why, StringComparison.Ordinal);
    }
}
