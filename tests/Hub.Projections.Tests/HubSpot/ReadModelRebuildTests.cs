using System.Net.Http.Json;
using System.Text.Json;
using Hub.EventStore.Projections;
using Hub.Projections.HubSpot;
using Hub.Sync.HubSpot;
using Marten;

namespace Hub.Projections.Tests.HubSpot;

public sealed class ReadModelRebuildTests : HubSpotSyncTest
{
    [Fact]
    public async Task A_rebuild_while_the_hub_keeps_syncing_pushes_nothing_HubSpot_has_and_ends_identical_to_the_live_read_model()
    {
        await SyncEverythingAsync();
        var before = (await ReadModelAsync()).ToDictionary(r => r.Id, Json, StringComparer.Ordinal);
        var inputsBefore = await WriteInputsAsync();
        var changed = before.Keys.Where(k => k.StartsWith("propstreet-contact-", StringComparison.Ordinal)).Order(StringComparer.Ordinal).First();

        ProjectionRebuild rebuild;
        await using (var session = Hub.Store.LightweightSession())
            (rebuild, _) = await ProjectionRebuild.RequestAsync(session, HubSpotRecordProjection.ReadModelName, DateTimeOffset.UtcNow, CancellationToken.None);
        // The hub keeps syncing meanwhile: a change in Propstreet arrives during (or right after) the rebuild.
        using (var patch = await Sandbox.Control.PatchAsJsonAsync(new Uri($"/_sandbox/propstreet/contacts/{changed["propstreet-contact-".Length..]}", UriKind.Relative), new { lastName = "Rebuilt" }))
            patch.EnsureSuccessStatusCode();
        await ProjectionsHost.WaitUntilAsync(async () => (await RebuildAsync(rebuild.Id)).Status is ProjectionRebuildStatus.Succeeded or ProjectionRebuildStatus.Failed);
        await ProjectionsHost.WaitUntilAsync(async () => (await ReadModelAsync()).Single(r => r.Id == changed).Target!.Properties["lastname"] == "Rebuilt");
        await WaitUntilPushSettledAsync(atLeastRecords: Contacts);

        var done = await RebuildAsync(rebuild.Id);
        Assert.Equal(ProjectionRebuildStatus.Succeeded, done.Status);
        Assert.True(done.EventsFolded > 0 && done.EventsFolded >= done.EventsTotal && done.Documents == before.Count, JsonSerializer.Serialize(done));
        var after = (await ReadModelAsync()).ToDictionary(r => r.Id, Json, StringComparer.Ordinal);
        Assert.Equal(before.Keys.Order(StringComparer.Ordinal), after.Keys.Order(StringComparer.Ordinal));
        Assert.All(before.Keys.Where(k => k != changed), key => Assert.Equal(before[key], after[key]));
        // HubSpot was sent the one changed contact and nothing else.
        Assert.Equal(inputsBefore + 1, await WriteInputsAsync());
        var parity = await ParityAsync();
        Assert.True(parity.Mismatches.Count == 0, HubSpotParityCommand.Format(parity));
    }

    private static string Json(HubSpotRecord record) => JsonSerializer.Serialize(record);

    private async Task<long> WriteInputsAsync()
    {
        var objects = (await Sandbox.HubSpotStatsAsync()).GetProperty("objects");
        return objects.EnumerateObject().Sum(o => o.Value.GetProperty("writeInputs").GetInt64());
    }

    private async Task<ProjectionRebuild> RebuildAsync(string id)
    {
        await using var session = Hub.Store.QuerySession();
        return (await session.LoadAsync<ProjectionRebuild>(id))!;
    }
}
