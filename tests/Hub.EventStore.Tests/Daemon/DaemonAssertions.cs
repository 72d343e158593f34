using Hub.EventStore.TestWorker;

namespace Hub.EventStore.Tests.Daemon;

/// <summary>
/// Compares what <see cref="StreamTallyProjection"/> and <see cref="DeliveryLog"/> saw with the log, as a count and a
/// checksum over (stream, version, event id) in per-stream order, so a lost, doubled or reordered event shows.
/// </summary>
internal static class DaemonAssertions
{
    private const string LogChecksumSql = """
        SELECT count(*)::text || ':' || coalesce(md5(string_agg(stream_id || '/' || version || '/' || id, ',' ORDER BY stream_id, version)), '')
        FROM hub.mt_events
        """;

    // Ordered by delivery, labelled with the delivered version: an out-of-order delivery changes the string.
    private const string DeliveredChecksumSql = """
        SELECT count(*)::text || ':' || coalesce(md5(string_agg(stream_key || '/' || version || '/' || event_id, ',' ORDER BY stream_key, delivery)), '')
        FROM hub.delivered_events
        """;

    // The n-th event the projection applied to a stream must be the stream's event at version n.
    private const string ProjectedChecksumSql = """
        SELECT count(*)::text || ':' || coalesce(md5(string_agg(t.id || '/' || e.n || '/' || e.id, ',' ORDER BY t.id, e.n)), '')
        FROM hub.mt_doc_streamtally t CROSS JOIN LATERAL jsonb_array_elements_text(t.data -> 'eventIds') WITH ORDINALITY AS e(id, n)
        """;

    /// <summary>
    /// Waits (generous deadline, no timing asserted) until the projection and the subscription have as many events as
    /// the log, then requires both to equal it.
    /// </summary>
    public static async Task CaughtUpExactlyOnceAsync(EventStoreDatabase store)
    {
        var logCount = await store.ScalarAsync("SELECT count(*) FROM hub.mt_events");
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline
               && (await store.ScalarAsync("SELECT count(*) FROM hub.delivered_events") < logCount
                   || await store.ScalarAsync("SELECT coalesce(sum(jsonb_array_length(data -> 'eventIds')), 0) FROM hub.mt_doc_streamtally") < logCount))
            await Task.Delay(100);

        var log = await store.TextAsync(LogChecksumSql);
        Assert.Equal(log, await store.TextAsync(DeliveredChecksumSql));
        Assert.Equal(log, await store.TextAsync(ProjectedChecksumSql));
    }

    /// <summary>The last sequence number the projection and the subscription have each committed (both must have started).</summary>
    public static async Task<long[]> CommittedProgressAsync(EventStoreDatabase store)
    {
        await using var command = store.DataSource.CreateCommand(
            "SELECT last_seq_id FROM hub.mt_event_progression WHERE name IN ('StreamTally:All', 'DeliveryLog:All') ORDER BY name DESC");
        await using var reader = await command.ExecuteReaderAsync();
        var progress = new List<long>();
        while (await reader.ReadAsync())
            progress.Add(reader.GetInt64(0));
        Assert.Equal(2, progress.Count);
        return [.. progress];
    }
}
