using System.Text.Json;
using Hub.Sync.Records;
using Hub.Sync.TwoWay;

namespace Hub.Sync.Tests.TwoWay;

public sealed class TwoWaySidesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);

    private static SourceRecord HubSpotState(int minute, bool deleted, params (string Property, string Value)[] properties)
    {
        var fields = JsonSerializer.SerializeToElement(properties.ToDictionary(p => p.Property, p => p.Value));
        return new SourceRecord("hubspot-contact-512", "hubspot", "main", "contact", "512", T0.AddMinutes(minute),
            deleted ? T0.AddMinutes(minute) : null, null, false, fields, minute);
    }

    [Fact]
    public void Each_property_carries_the_instant_of_its_own_last_change()
    {
        var side = TwoWaySides.HubSpot(ContactFields.Table, [
            HubSpotState(0, false, ("email", "a@x.se"), ("firstname", "Anna")),
            HubSpotState(5, false, ("email", "b@x.se"), ("firstname", "Anna")),
            HubSpotState(9, false, ("email", "b@x.se"), ("firstname", "Anne")),
        ]);

        Assert.Equal(T0.AddMinutes(5), side.ChangedAt("email"));
        Assert.Equal(T0.AddMinutes(9), side.ChangedAt("firstname"));
        Assert.Equal("b@x.se", side.ValueOf("email"));
    }

    [Fact]
    public void A_side_that_holds_the_last_synced_values_has_no_edit_to_set_against_a_deletion()
    {
        var baseline = ContactFields.All.ToDictionary(f => f.Property, _ => "", StringComparer.Ordinal);
        baseline["email"] = "a@x.se";

        // The hub's own push shows up as a HubSpot change at minute 7, but it only wrote what both sides agreed on.
        var side = TwoWaySides.HubSpot(ContactFields.Table, [HubSpotState(0, false), HubSpotState(7, false, ("email", "a@x.se"))], baseline);

        Assert.Equal(DateTimeOffset.MinValue, side.UpdatedUtc);
    }

    [Fact]
    public void A_side_edited_since_the_last_sync_counts_from_that_edit()
    {
        var baseline = ContactFields.All.ToDictionary(f => f.Property, _ => "", StringComparer.Ordinal);
        baseline["email"] = "a@x.se";

        var side = TwoWaySides.HubSpot(ContactFields.Table, [HubSpotState(0, false, ("email", "a@x.se")), HubSpotState(7, false, ("email", "a@x.se"), ("firstname", "Anna"))], baseline);

        Assert.Equal(T0.AddMinutes(7), side.UpdatedUtc);
    }

    [Fact]
    public void A_deleted_side_counts_from_its_deletion()
    {
        var side = TwoWaySides.HubSpot(ContactFields.Table, [HubSpotState(0, false, ("email", "a@x.se")), HubSpotState(3, true, ("email", "a@x.se"))],
            new Dictionary<string, string> { ["email"] = "a@x.se" });

        Assert.True(side.Deleted);
        Assert.Equal(T0.AddMinutes(3), side.UpdatedUtc);
    }

    private static SourceRecord PropstreetState(int minute, string firstName) => new(
        "propstreet-contact-1", "propstreet", "main", "contact", "1", T0.AddMinutes(minute), null, null, false,
        JsonSerializer.SerializeToElement(new { firstName }), minute);

    [Fact]
    public void The_echo_of_a_push_counts_from_the_Propstreet_change_it_carried_not_from_the_write()
    {
        // Propstreet: Anna (0), Anne (5), Annie (8). The push of Anne reached HubSpot at minute 9, after Annie.
        var propstreet = new[] { PropstreetState(0, "Anna"), PropstreetState(5, "Anne"), PropstreetState(8, "Annie") };
        var hubSpot = new[] { HubSpotState(1, false, ("firstname", "Anna")), HubSpotState(9, false, ("firstname", "Anne")) };

        var (p, h) = TwoWaySides.Both(ContactFields.Table, propstreet, hubSpot, baseline: null);
        var decision = TwoWayMerge.Decide(ContactFields.Table, p, h, baseline: null, FieldOwnership.Default, T0.AddMinutes(10));

        Assert.Equal(T0.AddMinutes(5), h.ChangedAt("firstname"));
        Assert.Equal(Winner.Propstreet, decision.Fields.Single(f => f.Property == "firstname").Winner);
    }

    [Fact]
    public void A_value_typed_in_HubSpot_keeps_the_instant_it_was_typed()
    {
        var propstreet = new[] { PropstreetState(0, "Anna"), PropstreetState(8, "Annie") };
        var hubSpot = new[] { HubSpotState(1, false, ("firstname", "Anna")), HubSpotState(9, false, ("firstname", "Hanna")) };

        var (_, h) = TwoWaySides.Both(ContactFields.Table, propstreet, hubSpot, baseline: null);

        Assert.Equal(T0.AddMinutes(9), h.ChangedAt("firstname"));
    }
}
