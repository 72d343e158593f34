namespace Hub.EventStore.Tests.Subscriptions;

/// <summary>Compares the test read model with the log: same rows, each once.</summary>
internal static class ReadModelAssertions
{
    public const string LogChecksumSql =
        "SELECT count(*)::text || ':' || coalesce(md5(string_agg(event_id::text || '@' || position, ',' ORDER BY position)), '') FROM event_store.events";

    public const string ReadModelChecksumSql =
        "SELECT count(*)::text || ':' || coalesce(md5(string_agg(event_id::text || '@' || position, ',' ORDER BY position)), '') FROM read_model";

    public static async Task<string> ChecksumAsync(EventStoreDatabase store, string sql)
    {
        await using var command = store.DataSource.CreateCommand(sql);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Polls until the read model has as many rows as the log (generous deadline), then compares checksums.</summary>
    public static async Task CaughtUpExactlyOnceAsync(EventStoreDatabase store)
    {
        var logCount = await store.ScalarAsync("SELECT count(*) FROM event_store.events");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await store.ScalarAsync("SELECT count(*) FROM read_model") < logCount && DateTime.UtcNow < deadline)
            await Task.Delay(50);

        Assert.Equal(await ChecksumAsync(store, LogChecksumSql), await ChecksumAsync(store, ReadModelChecksumSql));
    }
}
