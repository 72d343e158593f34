using Hub.Sync.Propstreet;

namespace Hub.Sync.Tests.Propstreet;

public sealed class PhonesTests
{
    [Theory]
    [InlineData("070-123 45 67", "+46701234567")]
    [InlineData("+46 (0)70 123 45 67", "+46701234567")]
    [InlineData("0046701234567", "+46701234567")]
    [InlineData("+44 20 7946 0958", "+442079460958")]
    public void A_national_or_formatted_number_is_written_in_E164(string raw, string e164) =>
        Assert.Equal(e164, Phones.Normalize(raw));

    [Theory]
    [InlineData("ask reception", "ask reception")]
    [InlineData("  12 ", "12")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void What_is_not_a_phone_number_is_kept_as_given(string? raw, string kept) =>
        Assert.Equal(kept, Phones.Normalize(raw));

    [Fact]
    public void The_same_number_in_two_notations_is_one_value() =>
        Assert.True(Phones.Same("070-123 45 67", "+46701234567"));
}
