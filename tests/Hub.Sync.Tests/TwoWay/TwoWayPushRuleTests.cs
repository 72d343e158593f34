using Hub.Sync.TwoWay;

namespace Hub.Sync.Tests.TwoWay;

public sealed class TwoWayPushRuleTests
{
    private static readonly IReadOnlyDictionary<string, string> Synced = SyncedContact.Values;

    private static Dictionary<string, string> With(params (string Property, string Value)[] changes)
    {
        var values = new Dictionary<string, string>(Synced);
        foreach (var (property, value) in changes)
            values[property] = value;
        return values;
    }

    [Fact]
    public void A_Propstreet_change_HubSpot_did_not_touch_is_sent()
    {
        var push = TwoWayPushRule.For(ContactFields.Table, With(("firstname", "Anne")), Synced, Synced, overrides: null);

        Assert.Equal(new Dictionary<string, string> { ["firstname"] = "Anne" }, push.Send);
        Assert.Empty(push.HeldBack);
        Assert.Equal("Anne", push.Synced["firstname"]);
    }

    [Fact]
    public void A_value_HubSpot_changed_since_the_last_sync_is_never_overwritten_by_the_push()
    {
        var push = TwoWayPushRule.For(ContactFields.Table, With(("email", "anna@propstreet.se")), With(("email", "anna@hubspot.se")), Synced, overrides: null);

        Assert.Empty(push.Send);
        Assert.Equal(["email"], push.HeldBack);
        // The baseline stays what both last agreed on, so the conflict rule still sees both sides' changes.
        Assert.Equal("anna@berg.se", push.Synced["email"]);
    }

    [Fact]
    public void A_HubSpot_value_the_conflict_rule_ruled_against_is_overwritten()
    {
        var overrides = new Dictionary<string, string> { ["email"] = "anna@hubspot.se" };

        var push = TwoWayPushRule.For(ContactFields.Table, With(("email", "anna@propstreet.se")), With(("email", "anna@hubspot.se")), Synced, overrides);

        Assert.Equal("anna@propstreet.se", push.Send["email"]);
    }

    [Fact]
    public void A_ruling_does_not_cover_a_newer_HubSpot_value_than_the_one_it_ruled_against()
    {
        var overrides = new Dictionary<string, string> { ["email"] = "anna@hubspot.se" };

        var push = TwoWayPushRule.For(ContactFields.Table, With(("email", "anna@propstreet.se")), With(("email", "anna@later.se")), Synced, overrides);

        Assert.Equal(["email"], push.HeldBack);
    }

    [Fact]
    public void Propstreet_derived_values_are_restored_whatever_HubSpot_did_to_them()
    {
        var push = TwoWayPushRule.For(ContactFields.Table, Synced, With(("propstreet_uri", "https://elsewhere")), Synced, overrides: null);

        Assert.Equal(Synced["propstreet_uri"], push.Send["propstreet_uri"]);
    }

    [Fact]
    public void What_HubSpot_already_holds_is_not_sent_again()
    {
        var push = TwoWayPushRule.For(ContactFields.Table, With(("phone", "+46701234567")), With(("phone", "070-123 45 67")), Synced, overrides: null);

        Assert.Empty(push.Send);
        Assert.Empty(push.HeldBack);
    }

    [Fact]
    public void A_contact_never_synced_sends_every_value()
    {
        var push = TwoWayPushRule.For(ContactFields.Table, Synced, new Dictionary<string, string>(), baseline: null, overrides: null);

        Assert.Equal(Synced, push.Send);
        Assert.Equal(Synced, push.Synced);
    }
}
