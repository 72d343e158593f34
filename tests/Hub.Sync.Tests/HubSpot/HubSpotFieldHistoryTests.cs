using System.Text.Json;
using Hub.Sync.HubSpot;
using Hub.Sync.Records;
using Hub.Sync.TwoWay;

namespace Hub.Sync.Tests.HubSpot;

public sealed class HubSpotFieldHistoryTests
{
    private const string Key = "propstreet-contact-10001";
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);

    private static JsonElement Json(object value) => JsonSerializer.SerializeToElement(value);

    [Fact]
    public void A_value_HubSpot_won_is_explained_by_the_decision_and_its_write_back()
    {
        var events = new List<StoredEvent>
        {
            new(1, T0, new RecordCreated("propstreet", "main", "contact", "10001", T0, null, "W/\"1\"", Json(new { id = "10001", email = "anna@berg.se", firstName = "Anna" }))),
            new(2, T0.AddMinutes(1), new HubSpotPushed("main", "512", "h1", 1, T0.AddMinutes(1))),
            new(3, T0.AddMinutes(9), new RecordUpdated("propstreet", "main", "contact", "10001", T0.AddMinutes(9), null, "W/\"2\"", Json(new { email = "anna@hubspot.se" }), [])),
            new(4, T0.AddMinutes(9), new SyncDecided("main", "512",
                [new FieldDecision("email", Winner.HubSpot, DecisionRule.OnlyHubSpotChanged, "anna@berg.se", "anna@hubspot.se", "anna@berg.se", T0, T0.AddMinutes(8),
                    "HubSpot changed email at 08:08; Propstreet still holds the value of the last sync.")], null, 2, 3, T0.AddMinutes(9))),
            new(5, T0.AddMinutes(9), new PropstreetWrittenBack("main", "512", "h2", new Dictionary<string, string> { ["email"] = "anna@hubspot.se" }, 3, "updated", T0.AddMinutes(9))),
        };

        var history = HubSpotFieldHistory.Explain(Key, "main", "email", events);

        Assert.Equal("anna@hubspot.se", history.Value);
        Assert.Equal("512", history.HubSpotId);
        Assert.Contains("written back", history.Answer, StringComparison.Ordinal);
        Assert.Contains("HubSpot changed email", history.Answer, StringComparison.Ordinal);
        Assert.Equal(["changed", "pushed", "changed", "decided", "written-back"], history.Steps.Select(s => s.Kind));
    }

    [Fact]
    public void A_value_pushed_from_Propstreet_names_the_change_that_brought_it()
    {
        var events = new List<StoredEvent>
        {
            new(1, T0, new RecordCreated("propstreet", "main", "contact", "10001", T0, null, "W/\"1\"", Json(new { id = "10001", firstName = "Anna" }))),
            new(2, T0.AddMinutes(1), new HubSpotPushed("main", "512", "h1", 1, T0.AddMinutes(1))),
        };

        var history = HubSpotFieldHistory.Explain(Key, "main", "firstname", events);

        Assert.StartsWith("HubSpot holds firstname = 'Anna': pushed at", history.Answer, StringComparison.Ordinal);
        Assert.Contains("version 1", history.Answer, StringComparison.Ordinal);
    }

    [Fact]
    public void A_record_never_pushed_says_so()
    {
        var events = new List<StoredEvent> { new(1, T0, new RecordCreated("propstreet", "main", "contact", "10001", T0, null, null, Json(new { firstName = "Anna" }))) };

        Assert.Contains("not sent", HubSpotFieldHistory.Explain(Key, "main", "firstname", events).Answer, StringComparison.Ordinal);
    }
}
