extern alias api;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hub.Crm.HubSpot;
using Hub.Sync.HubSpot;
using Hub.Sync.Records;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace Hub.Api.Tests.HubSpot;

public sealed class HubSpotParityEndpointTests(HubSpotApiHost hub) : IClassFixture<HubSpotApiHost>
{
    private static readonly Uri Parity = new($"/api/hubspot/parity?connection={HubSpotApiHost.Connection}", UriKind.Relative);

    [Fact]
    public async Task Parity_lists_a_record_HubSpot_lacks_then_a_field_it_holds_differently_and_0_mismatches_once_it_holds_the_mapping()
    {
        var key = await RecordEvents.StartAsync(hub.Store, "parity-1", RecordEvents.Created("parity-1", new { firstName = "Ada", lastName = "Lovelace", email = "ada@example.com" }));
        using var client = hub.Client(hub.Api.ReadToken);
        var target = await MappedAsync(key);

        var missing = await client.GetFromJsonAsync<JsonElement>(Parity);
        await UpsertAsync(target, new Dictionary<string, string?>(target.Properties.ToDictionary(p => p.Key, p => (string?)p.Value)) { ["firstname"] = "Ada B." });
        var differs = await client.GetFromJsonAsync<JsonElement>(Parity);
        await UpsertAsync(target, target.Properties.ToDictionary(p => p.Key, p => (string?)p.Value));
        var same = await client.GetFromJsonAsync<JsonElement>(Parity);

        Assert.Equal((1, 0, 0), Contacts(missing));
        Assert.Equal(HubSpotParity.Missing, Assert.Single(Mismatches(missing)).GetProperty("field").GetString());
        Assert.Equal((1, 1, 0), Contacts(differs));
        var field = Assert.Single(Mismatches(differs));
        Assert.Equal(("firstname", "Ada", "Ada B."), (field.GetProperty("field").GetString(), field.GetProperty("expected").GetString(), field.GetProperty("actual").GetString()));
        Assert.Equal((1, 1, 1), Contacts(same));
        Assert.Equal(0, same.GetProperty("mismatchCount").GetInt32());
        Assert.Empty(Mismatches(same));
    }

    [Fact]
    public async Task An_unknown_connection_is_404_problem_details()
    {
        using var client = hub.Client(hub.Api.ReadToken);

        using var response = await client.GetAsync(new Uri("/api/hubspot/parity?connection=nowhere", UriKind.Relative));

        await Problems.AssertProblemAsync(response, HttpStatusCode.NotFound);
    }

    private static (int Sources, int HubSpot, int Matched) Contacts(JsonElement report)
    {
        var contacts = report.GetProperty("resources").EnumerateArray().Single(r => r.GetProperty("resource").GetString() == "propstreet contact");
        return (contacts.GetProperty("sources").GetInt32(), contacts.GetProperty("hubSpot").GetInt32(), contacts.GetProperty("matched").GetInt32());
    }

    private static List<JsonElement> Mismatches(JsonElement report) => [.. report.GetProperty("mismatches").EnumerateArray()];

    private async Task<HubSpotTarget> MappedAsync(string key)
    {
        await using var session = hub.Store.QuerySession();
        return HubSpotMapping.Map((await session.LoadAsync<SourceRecord>(key))!)!;
    }

    /// <summary>Writes the contact into the sandbox's HubSpot as the push would (upsert by its unique id property).</summary>
    private async Task UpsertAsync(HubSpotTarget target, Dictionary<string, string?> properties)
    {
        var hubSpot = hub.Factory.Services.GetRequiredService<HubSpotClients>()[HubSpotApiHost.Connection];
        var result = await hubSpot.UpsertAsync(target.ObjectType, target.IdProperty, [new HubSpotUpsert(target.IdValue, properties)]);
        Assert.True(Assert.Single(result.Records).Succeeded);
    }
}
