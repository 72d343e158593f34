using Hub.Sync.TwoWay;

namespace Hub.Sync.Tests.TwoWay;

public sealed class FieldClockTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);

    private static (DateTimeOffset, IReadOnlyDictionary<string, string>) State(int minute, params (string Property, string Value)[] properties) =>
        (T0.AddMinutes(minute), properties.ToDictionary(p => p.Property, p => p.Value));

    [Fact]
    public void Each_property_gets_the_instant_of_its_own_last_change_not_the_records()
    {
        // Propstreet: email changed at t1, first name at t3 — the record's last change (t3) is not the email's.
        var clocks = FieldClock.LastChanged(ContactFields.Table, 
        [
            State(0, ("email", "anna@berg.se"), ("firstname", "Anna")),
            State(1, ("email", "anna@lund.se"), ("firstname", "Anna")),
            State(3, ("email", "anna@lund.se"), ("firstname", "Annika")),
        ]);

        Assert.Equal(T0.AddMinutes(1), clocks["email"]);
        Assert.Equal(T0.AddMinutes(3), clocks["firstname"]);
    }

    [Fact]
    public void A_value_rewritten_in_another_notation_is_no_change()
    {
        var clocks = FieldClock.LastChanged(ContactFields.Table, 
        [
            State(0, ("phone", "+46701234567"), ("email", "anna@berg.se"), ("propstreet_tags", "core;vip")),
            State(4, ("phone", "070-123 45 67"), ("email", "Anna@Berg.se"), ("propstreet_tags", "vip;core")),
        ]);

        Assert.All(clocks.Values, at => Assert.Equal(T0, at));
    }

    [Fact]
    public void A_property_that_appears_or_disappears_changed_then_and_one_never_changed_keeps_the_first_instant()
    {
        var clocks = FieldClock.LastChanged(ContactFields.Table, 
        [
            State(0, ("firstname", "Anna"), ("phone", "+46701234567")),
            State(2, ("firstname", "Anna"), ("phone", "+46701234567"), ("jobtitle", "CIO")),
            State(5, ("firstname", "Anna")),
            State(6, ("firstname", "Anna"), ("company", "")),
        ]);

        Assert.Equal(T0, clocks["firstname"]);
        Assert.Equal(T0.AddMinutes(5), clocks["jobtitle"]);
        Assert.Equal(T0.AddMinutes(5), clocks["phone"]);
        Assert.Equal(T0, clocks["company"]);
    }

    [Fact]
    public void No_states_know_no_instants() =>
        Assert.Empty(FieldClock.LastChanged(ContactFields.Table, []));
}
