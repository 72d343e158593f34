using Hub.Sync.Records;
using Hub.EventStore.Writing;
using Marten;
using static Hub.Projections.Tests.Observations;

namespace Hub.Projections.Tests.Records;

public sealed class RecordsObservedConsumerTests
{
    [Fact]
    public async Task A_page_of_500_contacts_gives_500_streams()
    {
        await using var hub = await ProjectionsHost.CreateAsync("page");
        hub.StartHost();

        await hub.SendAsync(Page("poll:main:contact:p1", Enumerable.Range(1, 500).Select(i => Contact(i, 1))));
        await ProjectionsHost.WaitUntilAsync(async () => (await hub.RecordsAsync()).Count == 500);

        var events = await hub.EventsAsync();
        Assert.Equal(500, events.Count);
        Assert.All(events, stream => Assert.Single(stream));
        Assert.Equal(Enumerable.Range(1, 500).Select(i => $"propstreet-contact-{i}").Order(), events.Select(s => s.Key).Order());
    }

    [Fact]
    public async Task A_redelivered_page_and_an_overlapping_observation_append_each_version_once()
    {
        await using var hub = await ProjectionsHost.CreateAsync("redelivery");
        hub.StartHost(concurrency: 1); // in queue order, so the last page marks the end
        var page = Page("poll:main:contact:p1", Enumerable.Range(1, 20).Select(i => Contact(i, 1)));

        await hub.SendAsync(page);
        await hub.SendAsync(page);
        await hub.SendAsync(page with { ObservationId = "webhook:main:wh-1", Channel = "webhook" });
        await hub.SendAsync(Page("poll:main:contact:end", [Contact(999, 1)]));
        await ProjectionsHost.WaitUntilAsync(async () => (await hub.RecordsAsync()).Count == 21);

        var events = await hub.EventsAsync();
        Assert.Equal(21, events.Sum(s => s.Count()));
        await using var session = hub.Store.QuerySession();
        Assert.Equal(3, await session.Query<ProcessedMessage>().CountAsync());
    }

    [Fact]
    public async Task A_thousand_deliveries_shuffled_with_30_percent_duplicates_end_in_the_newest_state_without_rollback()
    {
        await using var hub = await ProjectionsHost.CreateAsync("shuffled");
        hub.StartHost();
        // 100 contacts × 7 versions as single-record webhook deliveries, 300 of them delivered twice, in random order.
        var deliveries = Enumerable.Range(1, 100).SelectMany(id => Enumerable.Range(1, 7).Select(v => (id, v))).ToList();
        var random = new Random(9);
        deliveries.AddRange(deliveries.OrderBy(_ => random.Next()).Take(300).ToList());
        var shuffled = deliveries.OrderBy(_ => random.Next()).ToList();
        Assert.Equal(1000, shuffled.Count);

        foreach (var (id, version) in shuffled)
            await hub.SendAsync(new Hub.Contracts.Observations.RecordsObserved(
                $"webhook:main:{id}-{version}", "propstreet", "main", "contact", "webhook", Start, [Contact(id, version)]));
        await ProjectionsHost.WaitUntilAsync(async () => (await hub.RecordsAsync()).Count(r => r.ETag == "W/\"00000007\"") == 100);

        // In-order delivery would end every contact at version 7; shuffled delivery must too, and never go back.
        var records = await hub.RecordsAsync();
        Assert.Equal(100, records.Count);
        Assert.All(records, r => Assert.Equal("v7", r.Fields.GetProperty("title").GetString()));
        var events = await hub.EventsAsync();
        Assert.All(events, stream =>
        {
            var updated = stream.Select(e => ((Hub.Sync.Records.IRecordEvent)e.Data).UpdatedUtc).ToList();
            Assert.Equal(updated.Order(), updated);
            Assert.Equal(updated.Count, updated.Distinct().Count());
        });
    }

    [Fact]
    public async Task Two_hosts_racing_on_the_same_contacts_end_in_the_newest_state_with_nothing_failed()
    {
        await using var hub = await ProjectionsHost.CreateAsync("race");
        hub.StartHost(concurrency: 8);
        hub.StartHost(concurrency: 8);
        // Every page holds the same 10 contacts, each page a newer version of them, sent newest-last but consumed at once.
        for (var version = 1; version <= 30; version++)
            await hub.SendAsync(Page($"poll:main:contact:v{version}", Enumerable.Range(1, 10).Select(i => Contact(i, version))));
        await ProjectionsHost.WaitUntilAsync(async () => (await hub.RecordsAsync()).Count(r => r.ETag == $"W/\"{30:x8}\"") == 10);
        await using (var session = hub.Store.QuerySession())
            await ProjectionsHost.WaitUntilAsync(async () => await session.Query<ProcessedMessage>().CountAsync() == 30);

        var records = await hub.RecordsAsync();
        Assert.All(records, r => Assert.Equal("v30", r.Fields.GetProperty("title").GetString()));
        await using var check = hub.Store.QuerySession();
        Assert.Equal(30, await check.Query<ProcessedMessage>().CountAsync());
        var events = await hub.EventsAsync();
        Assert.All(events, stream =>
        {
            var updated = stream.Select(e => ((Hub.Sync.Records.IRecordEvent)e.Data).UpdatedUtc).ToList();
            Assert.Equal(updated.Order(), updated);
        });
    }

    [Fact]
    public async Task Observations_sent_before_the_projections_host_started_all_arrive_once_it_starts()
    {
        await using var hub = await ProjectionsHost.CreateAsync("beforestart");

        for (var p = 0; p < 5; p++)
            await hub.SendAsync(Page($"poll:main:contact:p{p}", Enumerable.Range(p * 100 + 1, 100).Select(i => Contact(i, 1))));
        hub.StartHost();
        await ProjectionsHost.WaitUntilAsync(async () => (await hub.RecordsAsync()).Count == 500);

        Assert.Equal(500, (await hub.RecordsAsync()).Count);
    }

    [Fact]
    public async Task Pages_written_in_bulk_are_stored_exactly_as_appending_them_one_stream_at_a_time_stores_them()
    {
        // The same pages into two stores: one writes a large page in bulk, the other has the bulk path off.
        await using var bulk = await ProjectionsHost.CreateAsync("bulk");
        await using var appended = await ProjectionsHost.CreateAsync("appended");
        bulk.StartHost(concurrency: 1);
        appended.StartHost(concurrency: 1, new Dictionary<string, string?> { ["EventStore:BulkAppendFrom"] = "0" });
        using var bulkCounts = new ProjectionsCounts("bulk");
        using var appendedCounts = new ProjectionsCounts("appended");
        // Contacts 1-100 new (every tenth deleted: a created and a deleted event); then a delta over 51-100 and twenty
        // new ones (existing and new streams in one page); then a small delta over 61-70.
        var initial = Page("poll:main:contact:p1", Enumerable.Range(1, 100).Select(i => Contact(i, 1, deleted: i % 10 == 0)));
        var delta = Page("poll:main:contact:d1", Enumerable.Range(51, 70).Select(i => Contact(i, 2)));
        var small = Page("poll:main:contact:d2", Enumerable.Range(61, 10).Select(i => Contact(i, 3)));

        foreach (var (hub, connection) in new[] { (bulk, "bulk"), (appended, "appended") })
        {
            await hub.SendAsync(initial with { Connection = connection });
            await hub.SendAsync(delta with { Connection = connection });
            await ProjectionsHost.WaitUntilAsync(async () => (await hub.RecordsAsync()).Count(r => r.ETag == $"W/\"{2:x8}\"") == 70);
            await hub.SendAsync(small with { Connection = connection });
            await ProjectionsHost.WaitUntilAsync(async () => (await hub.RecordsAsync()).Count(r => r.ETag == $"W/\"{3:x8}\"") == 10);
        }

        // The two large pages went in bulk in one store and by Marten's append in the other; the small one by append in both.
        Assert.Equal(110 + 70, bulkCounts["hub.projections.events.appended/bulk"]);
        Assert.Equal(10, bulkCounts["hub.projections.events.appended/append"]);
        Assert.Equal(190, appendedCounts["hub.projections.events.appended/append"]);
        Assert.Equal(120, (await bulk.RecordsAsync()).Count);
        foreach (var rows in StoredRows)
            Assert.Equal(await RowsAsync(appended, rows), await RowsAsync(bulk, rows));
        // Each stream's events in ascending sequence, the page's streams in page order, as the append path numbers them.
        Assert.Equal(
            await RowsAsync(bulk, "SELECT stream_id, version FROM hub.mt_events ORDER BY stream_id, version"),
            await RowsAsync(bulk, "SELECT stream_id, version FROM hub.mt_events ORDER BY stream_id, seq_id"));
        Assert.Empty(await RowsAsync(bulk, "SELECT id FROM hub.mt_events WHERE correlation_id IS NULL"));
    }

    [Fact]
    public async Task Hosts_racing_to_write_the_same_records_in_bulk_store_each_version_once_with_nothing_failed()
    {
        await using var hub = await ProjectionsHost.CreateAsync("copyrace");
        hub.StartHost(concurrency: 4);
        hub.StartHost(concurrency: 4);
        // Eight pages of the same 200 contacts, as overlapping polls and a webhook batch would carry them: four create
        // them, four move them to version 2 (bulk pages on new streams, then on existing ones, racing each other).
        for (var page = 0; page < 8; page++)
            await hub.SendAsync(Page($"poll:main:contact:race-{page}", Enumerable.Range(1, 200).Select(i => Contact(i, 1 + (page / 4)))));
        await using (var session = hub.Store.QuerySession())
            await ProjectionsHost.WaitUntilAsync(async () => await session.Query<ProcessedMessage>().CountAsync() == 8);

        var records = await hub.RecordsAsync();
        Assert.Equal(200, records.Count);
        Assert.All(records, r => Assert.Equal("v2", r.Fields.GetProperty("title").GetString()));
        // Whichever page won a stream, each source version is in it at most once and never after a newer one.
        var events = await hub.EventsAsync();
        Assert.All(events, stream =>
        {
            var updated = stream.Select(e => ((Hub.Sync.Records.IRecordEvent)e.Data).UpdatedUtc).ToList();
            Assert.Equal(updated.Distinct().Order(), updated);
        });
        Assert.Empty(await RowsAsync(hub, "SELECT id FROM hub.mt_events WHERE type = 'mt_tombstone'"));
    }

    /// <summary>What the two paths must store alike: everything but sequence numbers, clocks and trace ids.</summary>
    private static readonly string[] StoredRows =
    [
        "SELECT id, type, version, tenant_id, compacted_version, is_archived FROM hub.mt_streams ORDER BY id",
        "SELECT id, stream_id, version, data - 'connection', type, tenant_id, mt_dotnet_type, is_archived, causation_id FROM hub.mt_events ORDER BY stream_id, version",
        "SELECT id, data - 'connection', mt_dotnet_type, mt_version FROM hub.mt_doc_sourcerecord ORDER BY id",
        "SELECT id, data - 'processedUtc', mt_dotnet_type FROM hub.mt_doc_processedmessage ORDER BY id",
    ];

    private static async Task<List<string>> RowsAsync(ProjectionsHost hub, string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(hub.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
            rows.Add(string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "null" : reader.GetValue(i).ToString())));
        return rows;
    }
}
