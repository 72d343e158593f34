using System.Globalization;
using System.Text.Json;
using Hub.EventStore.Schema;
using Hub.EventStore.Writing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hub.EventStore.Tests.Schema;

public sealed class EventTableStatisticsTests(EventStoreDatabase store) : IClassFixture<EventStoreDatabase>
{
    [Fact]
    public async Task After_a_burst_of_appends_the_daemons_page_query_reads_one_page_not_the_whole_backlog()
    {
        // An initial sync's burst: 6,000 events in new streams, faster than autovacuum analyzes anything.
        for (var page = 0; page < 12; page++)
        {
            StreamEvents[] streams = [.. Enumerable.Range(0, 500).Select(i => TestEvents.Stream(
                $"test-contact-burst-{page}-{i}", TestEvents.Contact(string.Create(CultureInfo.InvariantCulture, $"burst-{page}-{i}"), 1)))];
            await store.Writer().WriteAsync($"message-burst-{page}", streams);
        }

        var statistics = new EventTableStatistics(
            store.DataSource, new EventStoreOptions { AnalyzeAfterChangedRows = 1_000 }, TimeProvider.System, NullLogger<EventTableStatistics>.Instance);
        // The server publishes its row counts within a second or so of the commits; the host checks every few seconds.
        var analyzed = new HashSet<string>(StringComparer.Ordinal);
        for (var until = DateTime.UtcNow.AddSeconds(30); analyzed.Count < 2 && DateTime.UtcNow < until; await Task.Delay(200))
            analyzed.UnionWith(await statistics.RefreshAsync());
        Assert.Equal(["mt_events", "mt_streams"], analyzed.Order());
        Assert.Empty(await statistics.RefreshAsync()); // nothing changed since

        // The daemon's page query (Marten's, as it reads a page of 500 above its position) reads that page only.
        var plan = JsonDocument.Parse(await store.TextAsync(
            "EXPLAIN (ANALYZE, FORMAT JSON) SELECT d.data, d.seq_id, s.type FROM hub.mt_events AS d INNER JOIN hub.mt_streams AS s ON d.stream_id = s.id " +
            "WHERE d.seq_id > 100 AND d.seq_id <= 1000000 AND d.type = ANY(ARRAY['contact.observed.v1']) AND d.is_archived = FALSE ORDER BY d.seq_id LIMIT 500"));
        var eventRowsRead = Nodes(plan.RootElement[0].GetProperty("Plan"))
            .Where(n => n.TryGetProperty("Relation Name", out var relation) && relation.GetString() == "mt_events")
            .Sum(n => n.GetProperty("Actual Rows").GetInt64());
        Assert.InRange(eventRowsRead, 1, 1_000);
    }

    private static IEnumerable<JsonElement> Nodes(JsonElement node) =>
        node.TryGetProperty("Plans", out var children) ? [node, .. children.EnumerateArray().SelectMany(Nodes)] : [node];
}
