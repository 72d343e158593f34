using Hub.Sync.TwoWay;

namespace Hub.Sync.Tests.TwoWay;

public sealed class FieldOwnershipTests
{
    [Theory]
    [InlineData("propstreet_strategy", FieldOwner.Propstreet)]
    [InlineData("propstreet_tags", FieldOwner.Propstreet)]
    [InlineData("hubspot_owner_id", FieldOwner.HubSpot)]
    [InlineData("lifecyclestage", FieldOwner.HubSpot)]
    [InlineData("firstname", FieldOwner.Newest)]
    [InlineData("email", FieldOwner.Newest)]
    [InlineData("phone", FieldOwner.Newest)]
    [InlineData("jobtitle", FieldOwner.Propstreet)]
    public void By_default_Propstreet_owns_strategy_and_tags_HubSpot_owner_and_lifecycle_and_the_rest_is_newest_wins(string property, FieldOwner owner)
    {
        Assert.Equal(owner, FieldOwnership.Default.OwnerOf(property));
        Assert.Equal(owner, FieldOwnership.FromConfiguration(null).OwnerOf(property));
    }

    [Fact]
    public void Configuration_overrides_the_defaults_case_insensitively()
    {
        var ownership = FieldOwnership.FromConfiguration(new Dictionary<string, string>
        {
            ["Email"] = "HUBSPOT",
            ["propstreet_tags"] = "Newest",
            ["LastName"] = " propstreet ",
        });

        Assert.Equal(FieldOwner.HubSpot, ownership.OwnerOf("email"));
        Assert.Equal(FieldOwner.Newest, ownership.OwnerOf("propstreet_tags"));
        Assert.Equal(FieldOwner.Propstreet, ownership.OwnerOf("lastname"));
        Assert.Equal(FieldOwner.Propstreet, ownership.OwnerOf("propstreet_strategy"));
    }

    [Theory]
    [InlineData("emial", "hubspot", "'emial': unknown HubSpot property")]
    [InlineData("email", "whoever", "'email': unknown owner 'whoever'")]
    [InlineData("jobtitle", "hubspot", "'jobtitle': jobtitle is derived from Propstreet")]
    [InlineData("lifecyclestage", "newest", "'lifecyclestage': Propstreet has no field for lifecyclestage")]
    public void A_configuration_error_names_the_key(string key, string owner, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => FieldOwnership.FromConfiguration(new Dictionary<string, string> { [key] = owner }));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
