using Hub.Sync.TwoWay;

namespace Hub.Sync.Tests.TwoWay;

public sealed class TwoWayMergeTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);

    private static readonly IReadOnlyDictionary<string, string> Synced = SyncedContact.Values;

    private static DateTimeOffset At(int minute) => T0.AddMinutes(minute);

    /// <summary>The synced values with <paramref name="changes"/> made at <paramref name="minute"/>; the rest last changed at minute 0.</summary>
    private static SideState Side(int minute, params (string Property, string Value)[] changes) =>
        Side(minute, deleted: false, changes);

    private static SideState Side(int minute, bool deleted, params (string Property, string Value)[] changes)
    {
        var properties = new Dictionary<string, string>(Synced);
        var changed = Synced.Keys.ToDictionary(k => k, _ => At(0));
        foreach (var (property, value) in changes)
            (properties[property], changed[property]) = (value, At(minute));
        return new SideState(properties, At(minute), deleted, changed);
    }

    private static TwoWayDecision Decide(SideState propstreet, SideState hubspot, IReadOnlyDictionary<string, string>? baseline = null, FieldOwnership? ownership = null) =>
        TwoWayMerge.Decide(ContactFields.Table, propstreet, hubspot, baseline, ownership ?? FieldOwnership.Default, At(100));

    private static FieldDecision Field(TwoWayDecision decision, string property) => decision.Fields.Single(f => f.Property == property);

    [Fact]
    public void A_field_only_HubSpot_changed_is_written_back_even_when_Propstreet_changed_the_record_later()
    {
        var decision = Decide(Side(9, ("lastname", "Lund")), Side(5, ("firstname", "Annie")), Synced);

        var firstname = Field(decision, "firstname");
        Assert.Equal((Winner.HubSpot, DecisionRule.OnlyHubSpotChanged), (firstname.Winner, firstname.Rule));
        Assert.Equal(new Dictionary<string, string> { ["firstname"] = "Annie" }, decision.ToPropstreet);
        Assert.Equal(new Dictionary<string, string> { ["lastname"] = "Lund" }, decision.ToHubSpot);
    }

    [Fact]
    public void A_field_only_Propstreet_changed_is_pushed_even_when_HubSpot_changed_the_record_later()
    {
        var decision = Decide(Side(5, ("propstreet_strategy", "core_plus")), Side(9, ("email", "anna@lund.se")), Synced);

        Assert.Equal((Winner.Propstreet, DecisionRule.OnlyPropstreetChanged), (Field(decision, "propstreet_strategy").Winner, Field(decision, "propstreet_strategy").Rule));
        Assert.Equal((Winner.HubSpot, DecisionRule.OnlyHubSpotChanged), (Field(decision, "email").Winner, Field(decision, "email").Rule));
        Assert.Equal("core_plus", decision.ToHubSpot["propstreet_strategy"]);
        Assert.Equal("anna@lund.se", decision.ToPropstreet["email"]);
    }

    [Fact]
    public void A_side_still_holding_the_synced_value_is_never_pushed_over_a_changed_value()
    {
        // HubSpot's record changed later, but not this field: its old value must not overwrite Propstreet's edit.
        var decision = Decide(Side(1, ("phone", "+46709999999")), Side(50, ("firstname", "Annie")), Synced);

        Assert.Equal("+46709999999", decision.Agreed["phone"]);
        Assert.DoesNotContain("phone", decision.ToPropstreet.Keys);
    }

    [Theory]
    [InlineData("propstreet_tags", "core;vip;new", "core")]
    [InlineData("propstreet_strategy", "value_add,core", "opportunistic")]
    public void Simultaneous_edits_of_tags_and_strategy_go_to_Propstreet_which_owns_them_even_when_HubSpot_edited_later(
        string property, string propstreetValue, string hubspotValue)
    {
        var decision = Decide(Side(5, (property, propstreetValue)), Side(9, (property, hubspotValue)), Synced);

        var field = Field(decision, property);
        Assert.Equal((Winner.Propstreet, DecisionRule.Owner), (field.Winner, field.Rule));
        Assert.Equal(propstreetValue, decision.ToHubSpot[property]);
        Assert.Empty(decision.ToPropstreet);
    }

    [Theory]
    [InlineData("firstname", "Annika", "Annie")]
    [InlineData("lastname", "Lund", "Berg-Lund")]
    [InlineData("email", "anna@lund.se", "a.berg@berg.se")]
    [InlineData("phone", "+46709999999", "+46708888888")]
    public void Simultaneous_edits_of_other_fields_go_to_the_later_edit(string property, string propstreetValue, string hubspotValue)
    {
        var hubspotLater = Decide(Side(5, (property, propstreetValue)), Side(9, (property, hubspotValue)), Synced);
        var propstreetLater = Decide(Side(9, (property, propstreetValue)), Side(5, (property, hubspotValue)), Synced);

        Assert.Equal((Winner.HubSpot, DecisionRule.Newer), (Field(hubspotLater, property).Winner, Field(hubspotLater, property).Rule));
        Assert.Equal(hubspotValue, hubspotLater.ToPropstreet[property]);
        Assert.Equal((Winner.Propstreet, DecisionRule.Newer), (Field(propstreetLater, property).Winner, Field(propstreetLater, property).Rule));
        Assert.Equal(propstreetValue, propstreetLater.ToHubSpot[property]);
    }

    [Fact]
    public void Simultaneous_edits_at_the_same_instant_go_to_Propstreet()
    {
        var decision = Decide(Side(7, ("firstname", "Annika")), Side(7, ("firstname", "Annie")), Synced);

        Assert.Equal(Winner.Propstreet, Field(decision, "firstname").Winner);
        Assert.Contains("Propstreet wins ties", Field(decision, "firstname").Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_configured_owner_settles_simultaneous_edits_of_its_field()
    {
        var ownership = FieldOwnership.FromConfiguration(new Dictionary<string, string> { ["FirstName"] = "HubSpot", ["propstreet_tags"] = "newest" });

        var decision = Decide(Side(9, ("firstname", "Annika"), ("propstreet_tags", "core")), Side(5, ("firstname", "Annie"), ("propstreet_tags", "vip")), Synced, ownership);

        Assert.Equal((Winner.HubSpot, DecisionRule.Owner), (Field(decision, "firstname").Winner, Field(decision, "firstname").Rule));
        Assert.Equal((Winner.Propstreet, DecisionRule.Newer), (Field(decision, "propstreet_tags").Winner, Field(decision, "propstreet_tags").Rule));
    }

    [Theory]
    [InlineData("phone", "+46701234567", "070-123 45 67")]
    [InlineData("email", "anna@berg.se", " Anna@Berg.SE ")]
    [InlineData("propstreet_tags", "core;vip", "vip;core;")]
    [InlineData("firstname", "Anna", " Anna ")]
    [InlineData("propstreet_strategy", "", null)]
    public void The_same_value_in_another_notation_is_no_conflict_and_no_write(string property, string propstreetValue, string? hubspotValue)
    {
        var hubspot = Side(9);
        var properties = new Dictionary<string, string>(hubspot.Properties);
        if (hubspotValue is null)
            properties.Remove(property);
        else
            properties[property] = hubspotValue;

        var decision = Decide(Side(5, (property, propstreetValue)), hubspot with { Properties = properties }, Synced);

        Assert.Equal(DecisionRule.Equal, Field(decision, property).Rule);
        Assert.True(decision.Nothing);
    }

    [Theory]
    [InlineData("jobtitle", "Analyst")]
    [InlineData("company", "Lund Capital")]
    [InlineData("propstreet_uri", "https://example.com")]
    public void A_field_derived_from_Propstreet_never_flows_back_and_the_push_restores_it(string property, string hubspotEdit)
    {
        var decision = Decide(Side(1), Side(9, (property, hubspotEdit)), Synced);

        var field = Field(decision, property);
        Assert.Equal((Winner.Propstreet, DecisionRule.PropstreetDerived), (field.Winner, field.Rule));
        Assert.Empty(decision.ToPropstreet);
        Assert.Equal(Synced[property], decision.ToHubSpot[property]);
    }

    [Fact]
    public void Never_synced_both_sides_count_as_changed_so_the_later_edit_or_the_owner_wins()
    {
        var decision = Decide(
            Side(9, ("firstname", "Annika"), ("propstreet_tags", "core")),
            Side(5, ("firstname", "Annie"), ("email", "annie@berg.se"), ("propstreet_tags", "vip")),
            baseline: null);

        Assert.Equal((Winner.Propstreet, DecisionRule.Newer), (Field(decision, "firstname").Winner, Field(decision, "firstname").Rule));
        Assert.Equal((Winner.HubSpot, DecisionRule.Newer), (Field(decision, "email").Winner, Field(decision, "email").Rule));
        Assert.Equal((Winner.Propstreet, DecisionRule.Owner), (Field(decision, "propstreet_tags").Winner, Field(decision, "propstreet_tags").Rule));
        Assert.All(decision.Fields, f => Assert.Null(f.BaselineValue));
        Assert.StartsWith("Never synced", Field(decision, "email").Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_hubs_own_write_seen_back_decides_nothing()
    {
        // The hub pushed Propstreet's new phone and recorded the baseline; HubSpot now reports it in its own notation.
        var baseline = new Dictionary<string, string>(Synced) { ["phone"] = "+46709999999" };
        var decision = Decide(Side(5, ("phone", "+46709999999")), Side(5, ("phone", "070-999 99 99")), baseline);

        Assert.True(decision.Nothing);
        Assert.Empty(decision.ToHubSpot);
        Assert.Empty(decision.ToPropstreet);
        Assert.Equal(RecordAction.None, decision.RecordAction);
    }

    [Fact]
    public void The_reason_says_who_changed_the_field_when_and_why_it_won()
    {
        var decision = Decide(Side(5, ("email", "anna@lund.se")), Side(9, ("email", "a.berg@berg.se")), Synced);

        Assert.Equal(
            "Both sides changed it since the last sync: HubSpot changed email at 2026-11-01T08:09:00.000Z after Propstreet's last change at 2026-11-01T08:05:00.000Z; newest wins.",
            Field(decision, "email").Reason);
        Assert.Equal(At(100), decision.DecidedUtc);
    }

    [Fact]
    public void A_HubSpot_deletion_after_Propstreets_last_change_deletes_the_contact_in_Propstreet()
    {
        var decision = Decide(Side(5, ("firstname", "Annika")), Side(9, deleted: true), Synced);

        Assert.Equal(RecordAction.DeleteInPropstreet, decision.RecordAction);
        Assert.Equal(
            "HubSpot deleted the contact at 2026-11-01T08:09:00.000Z, after Propstreet's last change at 2026-11-01T08:05:00.000Z; newest wins.",
            decision.RecordReason);
        Assert.True(decision.EndsDeleted);
        Assert.Empty(decision.ToHubSpot);
        Assert.Empty(decision.ToPropstreet);
    }

    [Fact]
    public void A_Propstreet_edit_after_HubSpots_deletion_revives_the_contact_in_HubSpot_with_every_value()
    {
        var decision = Decide(Side(9, ("firstname", "Annika")), Side(5, deleted: true), Synced);

        Assert.Equal(RecordAction.ReviveInHubSpot, decision.RecordAction);
        Assert.False(decision.Nothing);
        Assert.Equal(Synced.Count, decision.ToHubSpot.Count);
        Assert.Equal("Annika", decision.ToHubSpot["firstname"]);
    }

    [Fact]
    public void A_Propstreet_deletion_after_HubSpots_last_change_deletes_the_contact_in_HubSpot()
    {
        var decision = Decide(Side(9, deleted: true), Side(5, ("firstname", "Annie")), Synced);

        Assert.Equal(RecordAction.DeleteInHubSpot, decision.RecordAction);
        Assert.Empty(decision.ToPropstreet);
    }

    [Fact]
    public void A_HubSpot_edit_after_Propstreets_deletion_revives_the_contact_in_Propstreet_keeping_newer_Propstreet_values()
    {
        // Propstreet changed the strategy at 3, deleted the contact at 4; HubSpot changed the first name at 9.
        var propstreet = Side(3, ("propstreet_strategy", "core_plus")) with { UpdatedUtc = At(4), Deleted = true };
        var decision = Decide(propstreet, Side(9, ("firstname", "Annie"), ("jobtitle", "Analyst")), Synced);

        Assert.Equal(RecordAction.ReviveInPropstreet, decision.RecordAction);
        Assert.Equal(new Dictionary<string, string> { ["firstname"] = "Annie" }, decision.ToPropstreet);
        Assert.Equal("core_plus", decision.ToHubSpot["propstreet_strategy"]);
        Assert.Equal("CIO", decision.ToHubSpot["jobtitle"]);
    }

    [Fact]
    public void A_deletion_and_an_edit_at_the_same_instant_go_to_Propstreet()
    {
        Assert.Equal(RecordAction.DeleteInHubSpot, Decide(Side(7, deleted: true), Side(7, ("firstname", "Annie")), Synced).RecordAction);
        Assert.Equal(RecordAction.ReviveInHubSpot, Decide(Side(7, ("firstname", "Annika")), Side(7, deleted: true), Synced).RecordAction);
    }

    [Fact]
    public void The_hubs_own_push_seen_back_never_revives_a_later_deletion()
    {
        // The hub pushed Propstreet's change of minute 3 at minute 8; HubSpot's copy carries the propagated instant (3),
        // so Propstreet's deletion at minute 5, observed after the push, still deletes.
        var echo = Side(3, ("firstname", "Annika"));
        var decision = Decide(Side(5, deleted: true), echo, Synced);

        Assert.Equal(RecordAction.DeleteInHubSpot, decision.RecordAction);
    }

    [Fact]
    public void A_contact_deleted_on_both_sides_needs_nothing()
    {
        var decision = Decide(Side(3, deleted: true), Side(5, deleted: true), Synced);

        Assert.True(decision.Nothing);
        Assert.True(decision.EndsDeleted);
    }

    [Fact]
    public void Per_field_instants_keep_a_later_HubSpot_email_that_record_level_timestamps_would_lose()
    {
        // Propstreet edits the email at t1 and the first name at t3; HubSpot edits the email at t2.
        var propstreetStates = new List<(DateTimeOffset, IReadOnlyDictionary<string, string>)>
        {
            (At(0), Synced),
            (At(1), new Dictionary<string, string>(Synced) { ["email"] = "anna@lund.se" }),
            (At(3), new Dictionary<string, string>(Synced) { ["email"] = "anna@lund.se", ["firstname"] = "Annika" }),
        };
        var hubspotStates = new List<(DateTimeOffset, IReadOnlyDictionary<string, string>)>
        {
            (At(0), Synced),
            (At(2), new Dictionary<string, string>(Synced) { ["email"] = "a.berg@berg.se" }),
        };
        var propstreet = new SideState(propstreetStates[^1].Item2, At(3), false, FieldClock.LastChanged(ContactFields.Table, propstreetStates));
        var hubspot = new SideState(hubspotStates[^1].Item2, At(2), false, FieldClock.LastChanged(ContactFields.Table, hubspotStates));

        var decision = Decide(propstreet, hubspot, Synced);
        var recordLevel = Decide(propstreet with { ChangedUtc = null }, hubspot with { ChangedUtc = null }, Synced);

        Assert.Equal(Winner.HubSpot, Field(decision, "email").Winner);
        Assert.Equal(Winner.Propstreet, Field(decision, "firstname").Winner);
        Assert.Equal(Winner.Propstreet, Field(recordLevel, "email").Winner);
    }
}
