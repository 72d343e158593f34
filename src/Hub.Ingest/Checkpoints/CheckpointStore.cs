using Npgsql;

namespace Hub.Ingest.Checkpoints;

/// <summary>
/// Checkpoints in <c>hub_ingest.checkpoints</c>. Pollers save one only after the page it covers was confirmed by
/// the broker, so a crash at any point re-reads at most that page (the store de-duplicates it) and loses nothing.
/// </summary>
public sealed class CheckpointStore(NpgsqlDataSource dataSource)
{
    public async Task<Checkpoint> LoadAsync(string connection, string scope, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT walk_since, cursor, walk_max, watermark, initial_done, reconciled_utc FROM hub_ingest.checkpoints WHERE connection = @c AND scope = @s");
        command.Parameters.AddWithValue("c", connection);
        command.Parameters.AddWithValue("s", scope);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return Checkpoint.None;
        return new Checkpoint(
            Instant(reader, 0),
            reader.IsDBNull(1) ? null : reader.GetString(1),
            Instant(reader, 2),
            Instant(reader, 3),
            reader.GetBoolean(4),
            Instant(reader, 5));
    }

    /// <summary>A page of a walk is confirmed: the walk continues at <paramref name="cursor"/>.</summary>
    public Task SaveProgressAsync(string connection, string scope, DateTimeOffset? walkSince, string cursor, DateTimeOffset? walkMax, CancellationToken cancellationToken) =>
        UpsertAsync(connection, scope,
            "walk_since = @since, cursor = @cursor, walk_max = @max",
            [("since", walkSince), ("cursor", cursor), ("max", walkMax)], cancellationToken);

    /// <summary>The walk's last page is confirmed: the next walk is a delta from <paramref name="watermark"/>.</summary>
    public Task SaveCompletedAsync(string connection, string scope, DateTimeOffset? watermark, CancellationToken cancellationToken) =>
        UpsertAsync(connection, scope,
            "walk_since = NULL, cursor = NULL, walk_max = NULL, watermark = @watermark, initial_done = true",
            [("watermark", watermark)], cancellationToken);

    public Task SaveReconciledAsync(string connection, string scope, DateTimeOffset startedUtc, CancellationToken cancellationToken) =>
        UpsertAsync(connection, scope, "reconciled_utc = @at", [("at", startedUtc)], cancellationToken);

    private async Task UpsertAsync(string connection, string scope, string set, (string Name, object? Value)[] values, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"""
            INSERT INTO hub_ingest.checkpoints (connection, scope) VALUES (@c, @s) ON CONFLICT (connection, scope) DO NOTHING;
            UPDATE hub_ingest.checkpoints SET {set}, updated_utc = clock_timestamp() WHERE connection = @c AND scope = @s;
            """);
        command.Parameters.AddWithValue("c", connection);
        command.Parameters.AddWithValue("s", scope);
        foreach (var (name, value) in values)
        {
            command.Parameters.Add(value switch
            {
                DateTimeOffset instant => new NpgsqlParameter(name, instant.UtcDateTime),
                null when name is "cursor" => new NpgsqlParameter(name, NpgsqlTypes.NpgsqlDbType.Text) { Value = DBNull.Value },
                null => new NpgsqlParameter(name, NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = DBNull.Value },
                _ => new NpgsqlParameter(name, value),
            });
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static DateTimeOffset? Instant(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : new DateTimeOffset(reader.GetDateTime(ordinal), TimeSpan.Zero);
}
