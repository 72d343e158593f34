using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hub.Sync.HubSpot;
using Hub.Sync.Records;
using Hub.Sync.TwoWay;

namespace Hub.Api.Tests.HubSpot;

public sealed class FieldHistoryEndpointTests(HubSpotApiHost hub) : IClassFixture<HubSpotApiHost>
{
    private const string Connection = HubSpotApiHost.Connection;

    [Fact]
    public async Task One_call_answers_why_HubSpot_holds_a_value_with_the_decision_that_kept_it()
    {
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-10);
        var key = SourceRecord.StreamKey("propstreet", "contact", "why-hubspot-1");
        await using (var session = hub.Store.LightweightSession())
        {
            session.Events.StartStream(key,
                new RecordCreated("propstreet", "main", "contact", "why-hubspot-1", t0, null, "W/\"1\"",
                    JsonSerializer.SerializeToElement(new { email = "ada@berg.se", firstName = "Ada" })),
                new HubSpotPushed(Connection, "512", "h1", 1, t0.AddMinutes(1)),
                new RecordUpdated("propstreet", "main", "contact", "why-hubspot-1", t0.AddMinutes(5), null, "W/\"2\"",
                    JsonSerializer.SerializeToElement(new { email = "ada@hubspot.se" }), []),
                new SyncDecided(Connection, "512",
                    [new FieldDecision("email", Winner.HubSpot, DecisionRule.Newer, "ada@propstreet.se", "ada@hubspot.se", "ada@berg.se", t0.AddMinutes(3), t0.AddMinutes(4),
                        "Both sides changed it since the last sync: HubSpot changed email after Propstreet's last change; newest wins.")],
                    null, 2, 3, t0.AddMinutes(5)),
                new PropstreetWrittenBack(Connection, "512", null, new Dictionary<string, string> { ["email"] = "ada@hubspot.se" }, 3, "updated", t0.AddMinutes(5)));
            await session.SaveChangesAsync();
        }

        using var client = hub.Client(hub.Api.ReadToken);
        var history = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/hubspot/records/{key}/fields/email?connection={Connection}", UriKind.Relative));

        Assert.Equal("ada@hubspot.se", history.GetProperty("value").GetString());
        Assert.Equal("512", history.GetProperty("hubSpotId").GetString());
        var answer = history.GetProperty("answer").GetString()!;
        Assert.Contains("written back to Propstreet", answer, StringComparison.Ordinal);
        Assert.Contains("newest wins", answer, StringComparison.Ordinal);
        Assert.Equal(["changed", "pushed", "changed", "decided", "written-back"],
            history.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("kind").GetString()));
    }

    [Fact]
    public async Task An_unknown_record_is_a_404_problem()
    {
        using var client = hub.Client(hub.Api.ReadToken);

        using var response = await client.GetAsync(new Uri("/api/hubspot/records/propstreet-contact-nobody/fields/email", UriKind.Relative));

        await Problems.AssertProblemAsync(response, HttpStatusCode.NotFound);
    }
}
