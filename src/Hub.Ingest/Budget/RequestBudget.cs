using Npgsql;

namespace Hub.Ingest.Budget;

/// <summary>
/// The request budget of one API credential, shared by every poller and webhook follow-up in every process: a
/// sliding window (no span of <c>window</c> admits more than <c>limit</c> requests) plus the pause a 429's
/// Retry-After imposes. Held in PostgreSQL, decided under a transaction-scoped advisory lock per budget and on the
/// database's clock, so pods with skewed clocks still agree. See ADR 0012.
/// </summary>
public sealed class RequestBudget(NpgsqlDataSource dataSource, IngestMetrics metrics)
{
    /// <summary>
    /// Takes one request from the budget. Null when granted; otherwise how long until one may be granted (the run
    /// stops, keeps its place, and resumes then).
    /// </summary>
    public async Task<TimeSpan?> TryTakeAsync(string budgetKey, int limit, TimeSpan window, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var expire = new NpgsqlCommand(
            """
            SELECT pg_advisory_xact_lock(hashtextextended('hub_ingest.budget:' || @key, 0));
            DELETE FROM hub_ingest.budget_grants WHERE budget_key = @key AND granted_utc <= clock_timestamp() - @window;
            """, connection, transaction))
        {
            expire.Parameters.AddWithValue("key", budgetKey);
            expire.Parameters.AddWithValue("window", window);
            await expire.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var command = new NpgsqlCommand(
            """
            SELECT (SELECT until_utc - clock_timestamp() FROM hub_ingest.budget_pauses WHERE budget_key = @key AND until_utc > clock_timestamp()),
                   (SELECT count(*) FROM hub_ingest.budget_grants WHERE budget_key = @key),
                   (SELECT min(granted_utc) + @window - clock_timestamp() FROM hub_ingest.budget_grants WHERE budget_key = @key);
            """, connection, transaction);
        command.Parameters.AddWithValue("key", budgetKey);
        command.Parameters.AddWithValue("window", window);
        TimeSpan? paused, oldestExpires;
        long used;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            paused = reader.IsDBNull(0) ? null : reader.GetFieldValue<TimeSpan>(0);
            used = reader.GetInt64(1);
            oldestExpires = reader.IsDBNull(2) ? null : reader.GetFieldValue<TimeSpan>(2);
        }

        TimeSpan? wait = paused ?? (used >= limit ? Positive(oldestExpires) : null);
        if (wait is null)
        {
            await using var grant = new NpgsqlCommand(
                "INSERT INTO hub_ingest.budget_grants (budget_key, granted_utc) VALUES (@key, clock_timestamp())", connection, transaction);
            grant.Parameters.AddWithValue("key", budgetKey);
            await grant.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        if (wait is not null)
            metrics.BudgetExhausted(budgetKey);
        return wait;
    }

    /// <summary>Nobody sends on this budget before <paramref name="until"/> (a 429's Retry-After).</summary>
    public async Task PauseAsync(string budgetKey, TimeSpan retryAfter, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            INSERT INTO hub_ingest.budget_pauses (budget_key, until_utc) VALUES (@key, clock_timestamp() + @after)
            ON CONFLICT (budget_key) DO UPDATE SET until_utc = GREATEST(hub_ingest.budget_pauses.until_utc, EXCLUDED.until_utc)
            """);
        command.Parameters.AddWithValue("key", budgetKey);
        command.Parameters.AddWithValue("after", retryAfter);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    // The window's oldest grant may expire between the two reads; never ask to wait for nothing.
    private static TimeSpan Positive(TimeSpan? wait) => wait is { } w && w > TimeSpan.Zero ? w : TimeSpan.FromMilliseconds(10);
}
