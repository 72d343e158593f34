using System.Text.Json;
using Hub.Sync.Records;
using Hub.Sync.TwoWay;

namespace Hub.Sync.Tests.TwoWay;

public sealed class DealFieldsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);

    private static SourceRecord Project(int minute, string name, string classification = "active", bool deleted = false) => new(
        "propstreet-project-7", "propstreet", "main", "project", "7", T0.AddMinutes(minute), deleted ? T0.AddMinutes(minute) : null, null, false,
        JsonSerializer.SerializeToElement(new { id = "7", name, status = "open", classification, teaser = new { stage = "published" } }), minute);

    private static SourceRecord Deal(int minute, bool deleted = false, params (string Property, string Value)[] changes)
    {
        var properties = new Dictionary<string, string>(DealFields.Table.FromPropstreet(Project(0, "Office Portfolio")));
        foreach (var (property, value) in changes)
            properties[property] = value;
        return new SourceRecord("hubspot-deal-512", "hubspot", "main", "deal", "512", T0.AddMinutes(minute), deleted ? T0.AddMinutes(minute) : null,
            null, false, JsonSerializer.SerializeToElement(properties), minute);
    }

    private static TwoWayDecision Decide(SourceRecord[] projects, SourceRecord[] deals, IReadOnlyDictionary<string, string>? baseline)
    {
        var (p, h) = TwoWaySides.Both(DealFields.Table, projects, deals, baseline);
        return TwoWayMerge.Decide(DealFields.Table, p, h, baseline, FieldOwnership.Default, T0.AddMinutes(100));
    }

    [Fact]
    public void A_deal_renamed_in_HubSpot_renames_the_project_and_a_stage_set_in_HubSpot_is_restored_from_the_project()
    {
        var baseline = DealFields.Table.FromPropstreet(Project(0, "Office Portfolio"));

        var decision = Decide([Project(0, "Office Portfolio")], [Deal(0), Deal(5, false, ("dealname", "Office Portfolio II"), ("dealstage", "closedwon"))], baseline);

        Assert.Equal(new Dictionary<string, string> { ["dealname"] = "Office Portfolio II" }, decision.ToPropstreet);
        Assert.Equal(new Dictionary<string, string> { ["dealstage"] = "qualifiedtobuy" }, decision.ToHubSpot);
        Assert.Equal(DecisionRule.PropstreetDerived, decision.Fields.Single(f => f.Property == "dealstage").Rule);
    }

    [Fact]
    public void A_deal_archived_in_HubSpot_is_restored_however_late_and_the_project_is_never_deleted()
    {
        var baseline = DealFields.Table.FromPropstreet(Project(0, "Office Portfolio"));

        var decision = Decide([Project(0, "Office Portfolio")], [Deal(0), Deal(50, deleted: true)], baseline);

        Assert.Equal(RecordAction.ReviveInHubSpot, decision.RecordAction);
        Assert.Equal("Office Portfolio", decision.ToHubSpot["dealname"]);
        Assert.Empty(decision.ToPropstreet);
    }

    [Fact]
    public void A_project_deleted_in_Propstreet_archives_its_deal_even_after_a_later_HubSpot_edit()
    {
        var baseline = DealFields.Table.FromPropstreet(Project(0, "Office Portfolio"));

        var decision = Decide([Project(0, "Office Portfolio"), Project(5, "Office Portfolio", deleted: true)], [Deal(0), Deal(9, false, ("dealname", "Later"))], baseline);

        Assert.Equal(RecordAction.DeleteInHubSpot, decision.RecordAction);
    }

    [Theory]
    [InlineData("amount", "150", "150.00")]
    [InlineData("closedate", "1768471200000", "2026-01-15T10:00:00Z")]
    [InlineData("propstreet_property_count", "5", "5.0")]
    public void A_value_HubSpot_holds_in_its_own_notation_is_the_projects_value(string property, string pushed, string held) =>
        Assert.True(DealFields.Table.Same(property, pushed, held));

    [Fact]
    public void A_classification_Propstreet_does_not_have_is_refused_with_its_reason_and_the_name_still_goes()
    {
        var changes = DealFields.Table.ToPropstreetChanges(new Dictionary<string, string> { ["dealname"] = " Renamed ", ["propstreet_classification"] = "on_hold" });

        Assert.Equal(new Dictionary<string, object?> { ["name"] = "Renamed" }, changes.Fields);
        var refused = Assert.Single(changes.Refused);
        Assert.Equal(("propstreet_classification", "classification"), (refused.Property, refused.PropstreetField));
        Assert.Contains("draft, active, inactive", refused.Why, StringComparison.Ordinal);
    }
}
