using Hub.Sync.TwoWay;

namespace Hub.Sync.Tests.TwoWay;

public sealed class ContactFieldsTests
{
    [Fact]
    public void HubSpot_values_become_the_Propstreet_upsert_fields()
    {
        var changes = ContactFields.ToPropstreetChanges(new Dictionary<string, string>
        {
            ["firstname"] = " Anna ",
            ["lastname"] = "Berg",
            ["email"] = "Anna@Berg.SE",
            ["phone"] = "070-123 45 67",
            ["propstreet_tags"] = "vip;;core; ",
            ["propstreet_strategy"] = "value_add",
        });

        Assert.Equal("Anna", changes.Fields["firstName"]);
        Assert.Equal("Berg", changes.Fields["lastName"]);
        Assert.Equal("anna@berg.se", changes.Fields["email"]);
        Assert.Equal("+46701234567", changes.Fields["phone"]);
        Assert.Equal(["core", "vip"], Assert.IsType<List<string>>(changes.Fields["tags"]));
        Assert.Equal("value_add", changes.Fields["strategy"]);
        Assert.Empty(changes.Refused);
    }

    [Fact]
    public void Fields_derived_from_Propstreet_are_never_written_back()
    {
        var changes = ContactFields.ToPropstreetChanges(new Dictionary<string, string>
        {
            ["jobtitle"] = "Analyst",
            ["company"] = "Lund Capital",
            ["propstreet_uri"] = "https://example.com",
            ["hubspot_owner_id"] = "42",
            ["lifecyclestage"] = "customer",
        });

        Assert.Empty(changes.Fields);
    }

    [Fact]
    public void A_value_emptied_in_HubSpot_clears_the_field_in_Propstreet()
    {
        var changes = ContactFields.ToPropstreetChanges(new Dictionary<string, string> { ["phone"] = "", ["propstreet_tags"] = "" });

        Assert.Null(changes.Fields["phone"]);
        Assert.Empty(Assert.IsType<List<string>>(changes.Fields["tags"]));
    }

    [Fact]
    public void A_value_over_Propstreets_limit_is_reported_and_not_sent_while_the_rest_is()
    {
        var changes = ContactFields.ToPropstreetChanges(new Dictionary<string, string>
        {
            ["firstname"] = new string('A', 101),
            ["lastname"] = "Berg",
            ["propstreet_strategy"] = new string('s', 4001),
        });

        Assert.Equal(new Dictionary<string, object?> { ["lastName"] = "Berg" }, changes.Fields);
        Assert.Equal(
            [new FieldRefused("firstname", "firstName", "is 101 characters; Propstreet's firstName takes at most 100"), new FieldRefused("propstreet_strategy", "strategy", "is 4001 characters; Propstreet's strategy takes at most 4000")],
            changes.Refused);
    }

    [Fact]
    public void Every_written_back_field_has_Propstreets_limit_and_derived_fields_have_none()
    {
        Assert.Equal(
            ["firstname", "lastname", "email", "phone", "propstreet_tags", "propstreet_strategy"],
            ContactFields.All.Where(f => f.FlowsBack).Select(f => f.Property));
        Assert.Equal(
            [("firstName", 100), ("lastName", 100), ("email", 254), ("phone", 20), ("strategy", 4000)],
            ContactFields.All.Where(f => f.MaxLength is not null).Select(f => (f.PropstreetField!, f.MaxLength!.Value)));
    }
}
