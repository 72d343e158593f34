using System.Text.Json;
using Hub.Sync.Records;
using Hub.Sync.TwoWay;

namespace Hub.Sync.Tests.TwoWay;

public sealed class ContactSidesTests
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
        var side = ContactSides.HubSpot([
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
        var side = ContactSides.HubSpot([HubSpotState(0, false), HubSpotState(7, false, ("email", "a@x.se"))], baseline);

        Assert.Equal(DateTimeOffset.MinValue, side.UpdatedUtc);
    }

    [Fact]
    public void A_side_edited_since_the_last_sync_counts_from_that_edit()
    {
        var baseline = ContactFields.All.ToDictionary(f => f.Property, _ => "", StringComparer.Ordinal);
        baseline["email"] = "a@x.se";

        var side = ContactSides.HubSpot([HubSpotState(0, false, ("email", "a@x.se")), HubSpotState(7, false, ("email", "a@x.se"), ("firstname", "Anna"))], baseline);

        Assert.Equal(T0.AddMinutes(7), side.UpdatedUtc);
    }

    [Fact]
    public void A_deleted_side_counts_from_its_deletion()
    {
        var side = ContactSides.HubSpot([HubSpotState(0, false, ("email", "a@x.se")), HubSpotState(3, true, ("email", "a@x.se"))],
            new Dictionary<string, string> { ["email"] = "a@x.se" });

        Assert.True(side.Deleted);
        Assert.Equal(T0.AddMinutes(3), side.UpdatedUtc);
    }
}
