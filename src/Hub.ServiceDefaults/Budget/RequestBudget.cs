using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Hub.ServiceDefaults.Budget;

/// <summary>
/// The request budget of one API credential, shared by every caller in every process (Ingest's pollers, the CRM
/// connectors): a sliding window (no span of <c>window</c> admits more than <c>limit</c> requests) plus the pause a
/// 429 imposes. Held in PostgreSQL (schema <c>hub_budget</c>), decided under a transaction-scoped advisory lock per
/// budget and on the database's clock, so pods with skewed clocks still agree. See ADR 0012 and ADR 0018.
/// </summary>
public sealed class RequestBudget(NpgsqlDataSource dataSource)
{
    public const string Schema = "hub_budget";

    // 'hubbudgt' in ASCII; distinct from the other schemas' migration locks.
    private const long SchemaLockKey = 0x6875626275646774;

    // Any host may be the first to budget a request, so the tables are made on first use rather than by one host's
    // migration; under an advisory lock because concurrent CREATE ... IF NOT EXISTS can still collide.
    private static readonly string SchemaSql =
        $"""
        SELECT pg_advisory_xact_lock({SchemaLockKey});
        CREATE SCHEMA IF NOT EXISTS {Schema};
        -- One row per request granted against a budget (a hash of the credential, never the credential) in the window.
        CREATE TABLE IF NOT EXISTS {Schema}.grants (
            budget_key  text        NOT NULL,
            granted_utc timestamptz NOT NULL
        );
        CREATE INDEX IF NOT EXISTS grants_key_time ON {Schema}.grants (budget_key, granted_utc);
        -- A 429's pause: no process sends on this budget before until_utc.
        CREATE TABLE IF NOT EXISTS {Schema}.pauses (
            budget_key text        PRIMARY KEY,
            until_utc  timestamptz NOT NULL
        );
        """;

    private readonly Lock _schemaGate = new();
    private Task? _schema;

    /// <summary>
    /// A budget key for a credential: <paramref name="system"/> and a short hash of what identifies the credential
    /// (base URL and token), so connections sharing a token share one budget and the token is never stored or logged.
    /// </summary>
    public static string KeyFor(string system, string credential) =>
        $"{system}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(credential)))[..16]}";

    /// <summary>
    /// Takes one request from the budget. Null when granted; otherwise how long until one may be granted (the caller
    /// stops and resumes later, or waits that long without holding a connection).
    /// </summary>
    public async Task<TimeSpan?> TryTakeAsync(string budgetKey, int limit, TimeSpan window, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);

        // One round trip for the whole decision: a batch runs as one implicit transaction, which holds the advisory
        // lock until it commits. A grant lives for one window, so its commit need not wait for the disk: after a
        // database crash at most the last moments' grants are forgotten (visibility is unaffected).
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("SELECT set_config('synchronous_commit', 'off', true)"),
                Command("SELECT pg_advisory_xact_lock(hashtextextended('hub_budget:' || $1, 0))", budgetKey),
                Command($"DELETE FROM {Schema}.grants WHERE budget_key = $1 AND granted_utc <= clock_timestamp() - $2", budgetKey, window),
                Command(
                    $"""
                    WITH state AS (
                        SELECT (SELECT until_utc - clock_timestamp() FROM {Schema}.pauses WHERE budget_key = $1 AND until_utc > clock_timestamp()) AS paused,
                               (SELECT count(*) FROM {Schema}.grants WHERE budget_key = $1) AS used,
                               (SELECT min(granted_utc) + $2 - clock_timestamp() FROM {Schema}.grants WHERE budget_key = $1) AS oldest_expires),
                    granted AS (
                        INSERT INTO {Schema}.grants (budget_key, granted_utc)
                        SELECT $1, clock_timestamp() FROM state WHERE paused IS NULL AND used < $3
                        RETURNING 1)
                    SELECT paused, used, oldest_expires, (SELECT count(*) FROM granted) FROM state
                    """, budgetKey, window, (long)limit),
            },
        };

        TimeSpan? paused, oldestExpires;
        long used;
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            // The decision is the last statement's one row (the statements before it return one column or none).
            while (reader.FieldCount != 4 || !await reader.ReadAsync(cancellationToken))
            {
                if (!await reader.NextResultAsync(cancellationToken))
                    throw new InvalidOperationException("The budget query returned no decision.");
            }

            paused = reader.IsDBNull(0) ? null : reader.GetFieldValue<TimeSpan>(0);
            used = reader.GetInt64(1);
            oldestExpires = reader.IsDBNull(2) ? null : reader.GetFieldValue<TimeSpan>(2);
        }

        return paused ?? (used >= limit ? Positive(oldestExpires) : null);
    }

    /// <summary>Nobody sends on this budget for <paramref name="retryAfter"/> from now (a 429's pause).</summary>
    public async Task PauseAsync(string budgetKey, TimeSpan retryAfter, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken);
        await using var command = dataSource.CreateCommand(
            $"""
            INSERT INTO {Schema}.pauses (budget_key, until_utc) VALUES (@key, clock_timestamp() + @after)
            ON CONFLICT (budget_key) DO UPDATE SET until_utc = GREATEST({Schema}.pauses.until_utc, EXCLUDED.until_utc)
            """);
        command.Parameters.AddWithValue("key", budgetKey);
        command.Parameters.AddWithValue("after", retryAfter);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    // Once per process; a failed or cancelled attempt is tried again by the next caller.
    private Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        lock (_schemaGate)
        {
            if (_schema is null || _schema.IsFaulted || _schema.IsCanceled)
                _schema = CreateSchemaAsync();
            return _schema.WaitAsync(cancellationToken);
        }
    }

    private async Task CreateSchemaAsync()
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand(SchemaSql, connection, transaction))
            await command.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
    }

    private static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        return command;
    }

    // The window's oldest grant may expire between the two reads; never ask to wait for nothing.
    private static TimeSpan Positive(TimeSpan? wait) => wait is { } w && w > TimeSpan.Zero ? w : TimeSpan.FromMilliseconds(10);
}
