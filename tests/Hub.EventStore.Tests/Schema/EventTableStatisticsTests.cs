using System.Globalization;
using System.Text.Json;
using Hub.EventStore.Schema;
using Hub.EventStore.Writing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hub.EventStore.Tests.Schema;

public sealed class EventTableStatisticsTests(EventStoreDatabase store) : IClassFixture<EventStoreDatabase>
{
    [Fact]
    public async Task Tables_are_analyzed_as_they_grow_so_the_daemons_page_query_reads_one_page_not_the_whole_backlog()
    {
        // An initial sync's burst: 6,000 events in new streams, faster than autovacuum analyzes anything, and a read
        // model's documents (here processed-message records) beside them.
        await AppendBurstAsync("first", pages: 12);
        await store.Store.BulkInsertDocumentsAsync(Enumerable.Range(0, 1_500).Select(i => new ProcessedMessage($"document-{i}", DateTimeOffset.UtcNow, 1)));

        var statistics = new EventTableStatistics(
            store.DataSource, new EventStoreOptions { AnalyzeFromRows = 1_000 }, TimeProvider.System, NullLogger<EventTableStatistics>.Instance);
        Assert.Equal(["mt_doc_processedmessage", "mt_events", "mt_streams"], await AnalyzedAsync(statistics, 3));
        // Nothing changes now: once the server has counted the burst's last rows (some may come in after the first
        // analyze and cause one more), nothing is analyzed.
        Assert.True(await SettlesAsync(statistics));

        // Events appended again: the event tables are analyzed again. The documents did not grow.
        await AppendBurstAsync("second", pages: 4);
        Assert.Equal(["mt_events", "mt_streams"], await AnalyzedAsync(statistics, 2));

        // The daemon's page query (Marten's, as it reads a page of 500 above its position) reads that page only.
        var plan = JsonDocument.Parse(await store.TextAsync(
            "EXPLAIN (ANALYZE, FORMAT JSON) SELECT d.data, d.seq_id, s.type FROM hub.mt_events AS d INNER JOIN hub.mt_streams AS s ON d.stream_id = s.id " +
            "WHERE d.seq_id > 100 AND d.seq_id <= 1000000 AND d.type = ANY(ARRAY['contact.observed.v1']) AND d.is_archived = FALSE ORDER BY d.seq_id LIMIT 500"));
        var eventRowsRead = Nodes(plan.RootElement[0].GetProperty("Plan"))
            .Where(n => n.TryGetProperty("Relation Name", out var relation) && relation.GetString() == "mt_events")
            .Sum(n => n.GetProperty("Actual Rows").GetInt64());
        Assert.InRange(eventRowsRead, 1, 1_000);
    }

    private async Task AppendBurstAsync(string burst, int pages)
    {
        for (var page = 0; page < pages; page++)
        {
            StreamEvents[] streams = [.. Enumerable.Range(0, 500).Select(i => TestEvents.Stream(
                $"test-contact-{burst}-{page}-{i}", TestEvents.Contact(string.Create(CultureInfo.InvariantCulture, $"{burst}-{page}-{i}"), 1)))];
            await store.Writer().WriteAsync($"message-{burst}-{page}", streams);
        }
    }

    // The server publishes its row counts within a second or so of the commits; the host checks every few seconds.
    private static async Task<IReadOnlyList<string>> AnalyzedAsync(EventTableStatistics statistics, int expected)
    {
        var analyzed = new HashSet<string>(StringComparer.Ordinal);
        for (var until = DateTime.UtcNow.AddSeconds(30); analyzed.Count < expected && DateTime.UtcNow < until; await Task.Delay(200))
            analyzed.UnionWith(await statistics.RefreshAsync());
        return [.. analyzed.Order(StringComparer.Ordinal)];
    }

    private static async Task<bool> SettlesAsync(EventTableStatistics statistics)
    {
        for (var until = DateTime.UtcNow.AddSeconds(15); DateTime.UtcNow < until; await Task.Delay(500))
            if ((await statistics.RefreshAsync()).Count == 0 && (await statistics.RefreshAsync()).Count == 0)
                return true;
        return false;
    }

    private static IEnumerable<JsonElement> Nodes(JsonElement node) =>
        node.TryGetProperty("Plans", out var children) ? [node, .. children.EnumerateArray().SelectMany(Nodes)] : [node];
}
