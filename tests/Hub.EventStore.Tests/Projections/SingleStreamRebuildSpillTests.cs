using Hub.EventStore.Projections;
using JasperFx.Events.Projections;

namespace Hub.EventStore.Tests.Projections;

public sealed class SingleStreamRebuildSpillTests(EventStoreDatabase database) : IClassFixture<EventStoreDatabase>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task A_rebuild_over_its_memory_budget_sets_read_models_aside_in_the_database_and_ends_with_the_same_ones()
    {
        // Interleaved as the hub writes its log (every contact created, then each round of changes), so almost every
        // page has events of streams whose read models an earlier page set aside.
        var (hub, daemon) = await SingleStreamRebuildTests.ProjectedAsync(
            database, o => o.Projections.Add<ContactHistoryProjection>(ProjectionLifecycle.Async), "spill", Enumerable.Range(0, 30), [0, 1, 2, 3]);
        await using var process = hub;
        using var running = daemon;
        var live = await SingleStreamRebuildTests.ReadModelsAsync(hub.Store);
        await database.ScalarAsync("UPDATE hub.mt_doc_contacthistory SET data = jsonb_set(data, '{eventIds}', '[]')");

        // A budget of 0 bytes: every page's read models go to the database and come back for the stream's next event.
        var result = await SingleStreamRebuild.RunAsync<ContactHistory>(hub.Store, daemon, ContactHistoryProjection.ProjectionName, pageSize: 7, memoryBudget: 0);

        Assert.Equal(30, result.Documents);
        Assert.True(result.Spilled > result.Documents, $"expected read models set aside more than once each, got {result.Spilled}");
        Assert.Equal(live, await SingleStreamRebuildTests.ReadModelsAsync(hub.Store));

        // The daemon carries on from the rebuilt read models.
        await hub.Writer.WriteAsync("after-rebuild", [SingleStreamRebuildTests.Observation(1, 4, v2: true)]);
        await daemon.WaitForNonStaleData(Timeout);
        var after = await SingleStreamRebuildTests.ReadModelsAsync(hub.Store);
        Assert.Equal(30, after.Count);
        Assert.Contains(after, h => h.StartsWith("test-contact-1 ", StringComparison.Ordinal) && h.EndsWith(" 5", StringComparison.Ordinal));
        await daemon.StopAllAsync();
    }
}
