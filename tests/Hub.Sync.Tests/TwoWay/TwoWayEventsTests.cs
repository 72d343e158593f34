using System.Text.Json;
using System.Text.Json.Serialization;
using Hub.Sync.TwoWay;

namespace Hub.Sync.Tests.TwoWay;

public sealed class TwoWayEventsTests
{
    // As the event store writes events: System.Text.Json, camel case, enums by name.
    private static readonly JsonSerializerOptions Stored = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    [Fact]
    public void A_stored_decision_reads_back_with_every_fields_winner_rule_values_instants_and_reason()
    {
        var at = new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);
        var decision = TwoWayMerge.Decide(ContactFields.Table, 
            new SideState(new Dictionary<string, string> { ["email"] = "anna@lund.se" }, at.AddMinutes(5), false),
            new SideState(new Dictionary<string, string> { ["email"] = "a.berg@berg.se" }, at.AddMinutes(9), false),
            new Dictionary<string, string> { ["email"] = "anna@berg.se" },
            FieldOwnership.Default,
            at.AddMinutes(10));
        var decided = new SyncDecided("main", "512", decision.Fields, null, 7, 3, decision.DecidedUtc);

        var json = JsonSerializer.Serialize(decided, Stored);
        var read = JsonSerializer.Deserialize<SyncDecided>(json, Stored)!;

        Assert.Equal(decided.Fields, read.Fields);
        Assert.Equal((decided.Connection, decided.HubSpotId, decided.PropstreetVersion, decided.HubSpotVersion, decided.DecidedUtc),
            (read.Connection, read.HubSpotId, read.PropstreetVersion, read.HubSpotVersion, read.DecidedUtc));
        Assert.Contains("\"rule\":\"Newer\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("agreedValue", json, StringComparison.Ordinal);
        Assert.Equal("twoway.decided.v1", SyncDecided.EventTypeName);
    }
}
