using System.Globalization;
using System.Text.Json;
using Hub.EventStore.Projections;
using Hub.EventStore.Tests.Writing;
using Hub.EventStore.Writing;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;

namespace Hub.EventStore.Tests.Projections;

public sealed class SingleStreamRebuildTests(EventStoreDatabase database) : IClassFixture<EventStoreDatabase>
{
    private const string Shard = ContactHistoryProjection.ProjectionName + ":All";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Fast_rebuild_leaves_the_read_models_of_Martens_rebuild_and_the_daemon_carries_on_from_it()
    {
        // Stored v1 events (a v1-only writer), then v2 events on the same and on other streams: 3 to 5 per stream.
        await using (var v1 = await database.OpenOtherProcessAsync(o => o.Map<ContactObservedV1>("contact.observed.v1")))
        {
            for (var n = 0; n < 20; n++)
                await v1.Writer.WriteAsync($"v1-{n}", [Observation(n, 0, v2: false)]);
        }

        await using var hub = await database.OpenOtherProcessAsync(o =>
        {
            o.MapV2WithUpcasterFromV1();
            o.Projections.Add<ContactHistoryProjection>(ProjectionLifecycle.Async);
        });
        for (var revision = 1; revision <= 4; revision++)
            await hub.Writer.WriteAsync($"v2-{revision}", [.. Enumerable.Range(0, 30).Where(n => revision < 4 || n % 2 == 0).Select(n => Observation(n, revision, v2: true))]);

        using var daemon = await hub.Store.BuildProjectionDaemonAsync();
        await daemon.StartAllAsync();
        await daemon.WaitForNonStaleData(Timeout);
        await daemon.RebuildProjectionAsync<ContactHistoryProjection>(Timeout, CancellationToken.None);
        var martens = await ReadModelsAsync(hub.Store);
        Assert.Equal(await LogAsync(), martens);

        // Spoil what Marten's rebuild left, so only a real rebuild passes; and leave a read model of no stream.
        await database.ScalarAsync("UPDATE hub.mt_doc_contacthistory SET data = jsonb_set(data, '{eventIds}', '[]')");
        await using (var session = hub.Store.LightweightSession())
        {
            session.Store(new ContactHistory { Id = "no-such-stream" });
            await session.SaveChangesAsync();
        }

        await daemon.StartAgentAsync(Shard, CancellationToken.None);
        var lastSequence = await database.ScalarAsync("SELECT max(seq_id) FROM hub.mt_events");
        var result = await SingleStreamRebuild.RunAsync<ContactHistory>(hub.Store, daemon, ContactHistoryProjection.ProjectionName, pageSize: 7);

        Assert.Equal(new SingleStreamRebuildResult(ContactHistoryProjection.ProjectionName, lastSequence, await database.ScalarAsync("SELECT count(*) FROM hub.mt_events"), 30), result);
        Assert.Equal(martens, await ReadModelsAsync(hub.Store));
        Assert.Equal(lastSequence, await database.ScalarAsync($"SELECT last_seq_id FROM hub.mt_event_progression WHERE name = '{Shard}'"));

        // The agent runs again and projects later events on top of the rebuilt read models, each exactly once.
        await hub.Writer.WriteAsync("after-rebuild", [Observation(1, 5, v2: true), Observation(40, 1, v2: true)]);
        await daemon.WaitForNonStaleData(Timeout);
        var after = await ReadModelsAsync(hub.Store);
        Assert.Equal(await LogAsync(), after);
        Assert.Equal(31, after.Count);
        await daemon.StopAllAsync();
    }

    /// <summary>
    /// A hub process with one async projection (<paramref name="addProjection"/>), rounds of v2 observations of the
    /// contacts, and its daemon running and caught up with them.
    /// </summary>
    internal static async Task<(OtherProcess Hub, IProjectionDaemon Daemon)> ProjectedAsync(
        EventStoreDatabase database, Action<StoreOptions> addProjection, string messagePrefix, IEnumerable<int> contacts, IEnumerable<int> revisions)
    {
        var hub = await database.OpenOtherProcessAsync(o =>
        {
            o.MapV2WithUpcasterFromV1();
            addProjection(o);
        });
        foreach (var revision in revisions)
            await hub.Writer.WriteAsync($"{messagePrefix}-{revision.ToString(CultureInfo.InvariantCulture)}", [.. contacts.Select(n => Observation(n, revision, v2: true))]);
        var daemon = await hub.Store.BuildProjectionDaemonAsync();
        await daemon.StartAllAsync();
        await daemon.WaitForNonStaleData(Timeout);
        return (hub, daemon);
    }

    internal static StreamEvents Observation(int contact, int revision, bool v2)
    {
        var id = contact.ToString(CultureInfo.InvariantCulture);
        var name = $"Contact{id} Rev{revision.ToString(CultureInfo.InvariantCulture)}";
        return TestEvents.Stream(
            $"test-contact-{id}",
            new PendingEvent(
                DeterministicEventId.From("rebuild", id, revision.ToString(CultureInfo.InvariantCulture)),
                v2 ? new ContactObservedV2(id, $"Contact{id}", $"Rev{revision.ToString(CultureInfo.InvariantCulture)}") : new ContactObservedV1(id, name)));
    }

    /// <summary>Each stream's events as the log holds them, in seq_id order, as the projection should show them.</summary>
    private async Task<List<string>> LogAsync()
    {
        var json = await database.TextAsync("""
            SELECT coalesce(jsonb_agg(h), '[]') FROM (
                SELECT stream_id AS id,
                       jsonb_agg(e.id ORDER BY seq_id) AS event_ids,
                       jsonb_agg(CASE WHEN type = 'contact.observed.v1' THEN data->>'fullName' ELSE (data->>'firstName') || ' ' || (data->>'lastName') END ORDER BY seq_id) AS names,
                       max(version) AS last_version
                FROM hub.mt_events e GROUP BY stream_id) h
            """);
        return [.. JsonDocument.Parse(json).RootElement.EnumerateArray()
            .Select(h => $"{h.GetProperty("id").GetString()} {JsonSerializer.Serialize(h.GetProperty("event_ids"))} {JsonSerializer.Serialize(h.GetProperty("names"))} {h.GetProperty("last_version")}")
            .Order(StringComparer.Ordinal)];
    }

    internal static async Task<List<string>> ReadModelsAsync(IDocumentStore store)
    {
        await using var session = store.QuerySession();
        var all = await session.Query<ContactHistory>().ToListAsync();
        return [.. all.Select(h => $"{h.Id} {JsonSerializer.Serialize(h.EventIds)} {JsonSerializer.Serialize(h.Names)} {h.LastVersion}").Order(StringComparer.Ordinal)];
    }
}
