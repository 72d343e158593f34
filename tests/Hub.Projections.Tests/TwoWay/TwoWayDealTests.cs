using System.Text.Json;
using Hub.Sync.HubSpot;
using Hub.Sync.TwoWay;

namespace Hub.Projections.Tests.TwoWay;

/// <summary>Projects ↔ deals both ways: a deal's name and the project's classification flow back; the rest is the project's.</summary>
public sealed class TwoWayDealTests : TwoWaySyncTest
{
    [Fact]
    public async Task A_deal_renamed_in_HubSpot_renames_the_project_and_its_derived_stage_is_restored()
    {
        await SyncBothWaysAsync();
        var project = await ProjectAsync();
        var (projectId, dealId) = (project.Source.RecordId, project.On(Connection)!.HubSpotId!);
        var stage = project.Target!.Properties["dealstage"];
        var wrongStage = stage == "closedlost" ? "closedwon" : "closedlost";

        await EditDealInHubSpotAsync(dealId, new { dealname = "Renamed in HubSpot", dealstage = wrongStage, propstreet_classification = "inactive" });
        await WaitUntilSettledAsync(async () =>
        {
            var (inPropstreet, deal) = (await PropstreetProjectAsync(projectId), await HubSpotDealAsync(dealId));
            return Text(inPropstreet, "name") == "Renamed in HubSpot" && Text(inPropstreet, "classification") == "inactive"
                && Text(deal, "dealstage") == stage;
        });

        // The name and the classification went to Propstreet with If-Match; the stage, derived from the project, went back.
        var decided = (await StreamAsync(project.Id)).Select(e => e.Data).OfType<SyncDecided>().SelectMany(d => d.Fields).ToList();
        Assert.Contains(decided, f => f is { Property: DealFields.Name, Winner: Winner.HubSpot, Rule: DecisionRule.OnlyHubSpotChanged });
        Assert.Contains(decided, f => f is { Property: DealFields.Classification, Winner: Winner.HubSpot });
        Assert.Contains(decided, f => f is { Property: "dealstage", Winner: Winner.Propstreet, Rule: DecisionRule.PropstreetDerived });
        await AssertParityAsync();
    }

    [Fact]
    public async Task A_project_edit_reaches_its_deal_and_a_classification_Propstreet_does_not_take_is_parked()
    {
        await SyncBothWaysAsync();
        var project = await ProjectAsync();
        var (projectId, dealId) = (project.Source.RecordId, project.On(Connection)!.HubSpotId!);

        await EditProjectInPropstreetAsync(projectId, new { name = "Renamed in Propstreet" });
        await WaitUntilSettledAsync(async () => Text(await HubSpotDealAsync(dealId), "dealname") == "Renamed in Propstreet");

        // "on_hold" is no Propstreet classification: Propstreet keeps its own, and the refusal is on record.
        var classification = Text(await PropstreetProjectAsync(projectId), "classification");
        await EditDealInHubSpotAsync(dealId, new { propstreet_classification = "on_hold" });
        await WaitUntilSettledAsync(async () => (await ModelAsync(project.Id)).On(Connection)?.WriteParked is { } parked
            && parked.Contains("propstreet_classification", StringComparison.Ordinal));

        Assert.Equal(classification, Text(await PropstreetProjectAsync(projectId), "classification"));
        Assert.Equal("Renamed in Propstreet", Text(await PropstreetProjectAsync(projectId), "name"));
    }

    [Fact]
    public async Task A_deal_archived_in_HubSpot_is_restored_and_the_project_stays()
    {
        await SyncBothWaysAsync();
        var project = await ProjectAsync();
        var (projectId, dealId) = (project.Source.RecordId, project.On(Connection)!.HubSpotId!);

        using (var archived = await Sandbox.Control.DeleteAsync(new Uri($"/_sandbox/hubspot/objects/deals/{dealId}", UriKind.Relative)))
            archived.EnsureSuccessStatusCode();
        await WaitUntilSettledAsync(async () => (await ModelAsync(project.Id)).On(Connection)?.HubSpotId is { Length: > 0 } id && id != dealId);

        var restored = (await ModelAsync(project.Id)).On(Connection)!.HubSpotId!;
        Assert.Equal(projectId, Text(await HubSpotDealAsync(restored), HubSpotMapping.PropstreetId));
        Assert.False((await PropstreetProjectAsync(projectId)).TryGetProperty("deletedUtc", out _));
        var decided = (await StreamAsync(project.Id)).Select(e => e.Data).OfType<SyncDecided>().Last();
        Assert.Equal(nameof(RecordAction.ReviveInHubSpot), decided.RecordAction);
        await AssertParityAsync();
    }

    private async Task<HubSpotRecord> ProjectAsync() =>
        (await ReadModelAsync()).Where(r => r.Id.StartsWith("propstreet-project-", StringComparison.Ordinal) && r.Target is { Archived: false }
                && r.On(Connection)?.HubSpotId is { Length: > 0 })
            .OrderBy(r => r.Id, StringComparer.Ordinal).First();

    private Task EditDealInHubSpotAsync(string dealId, object properties) => EditInHubSpotAsync(dealId, properties, "deals");

    private Task EditProjectInPropstreetAsync(string projectId, object changes) => EditInPropstreetAtAsync($"projects/{projectId}", changes);

    private Task<JsonElement> PropstreetProjectAsync(string projectId) => PropstreetAsync($"projects/{projectId}");

    private Task<JsonElement> HubSpotDealAsync(string dealId) => HubSpotObjectAsync("deals", dealId);
}
