using System.Text.Json;
using Hub.EventStore.Projections;
using JasperFx.Events.Projections;
using Marten;

namespace Hub.EventStore.Tests.Projections;

/// <summary>A database of its own: the rebuild's counts must not see the other rebuild tests' streams.</summary>
public sealed class SingleStreamRebuildUntypedTests(EventStoreDatabase database) : IClassFixture<EventStoreDatabase>
{
    [Fact]
    public async Task Fast_rebuild_of_a_projection_that_names_no_event_types_folds_every_event()
    {
        // The daemon has run, as on a host: the rebuild reads up to its high-water mark.
        var (hub, daemon) = await SingleStreamRebuildTests.ProjectedAsync(
            database, o => o.Projections.Add<ContactEventsProjection>(ProjectionLifecycle.Async), "all-types", Enumerable.Range(100, 10), [1, 2, 3]);
        await using var process = hub;
        using var running = daemon;
        var result = await SingleStreamRebuild.RunAsync<ContactEvents>(hub.Store, daemon, ContactEventsProjection.ProjectionName, pageSize: 7);

        Assert.Equal(await database.ScalarAsync("SELECT count(*) FROM hub.mt_events"), result.Events);
        var log = await database.TextAsync("""
            SELECT coalesce(jsonb_agg(h ORDER BY h.id COLLATE "C"), '[]') FROM (
                SELECT stream_id AS id, jsonb_agg(id ORDER BY seq_id) AS event_ids, max(version) AS last_version FROM hub.mt_events GROUP BY stream_id) h
            """);
        await using var session = hub.Store.QuerySession();
        var readModels = (await session.Query<ContactEvents>().ToListAsync()).OrderBy(r => r.Id, StringComparer.Ordinal).ToList();
        Assert.Equal(
            JsonDocument.Parse(log).RootElement.EnumerateArray().Select(h => $"{h.GetProperty("id").GetString()} {JsonSerializer.Serialize(h.GetProperty("event_ids"))} {h.GetProperty("last_version")}"),
            readModels.Select(r => $"{r.Id} {JsonSerializer.Serialize(r.EventIds)} {r.LastVersion}"));
        await daemon.StopAllAsync();
    }
}
