using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Hub.ServiceDefaults.Budget;

/// <summary>
/// The request budget of one API credential, shared by every caller in every process (Ingest's pollers, the CRM
/// connectors): a sliding window (no span of <c>window</c> admits more than <c>limit</c> requests) plus the pause a
/// 429 imposes. Held in PostgreSQL (schema <c>hub_budget</c>), decided under a transaction-scoped advisory lock per
/// budget and on the database's clock, so pods with skewed clocks still agree. A grant holds its slot until its
/// request completes and for one window after, because the server counts a request when it arrives, which may be
/// any time before it completes. See ADR 0012 and ADR 0018.
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
        -- A grant counts for one window from counts_from_utc: its request's completion, or while the request is in
        -- flight the latest it can complete (grant + request timeout), which is when a crashed holder's grant lapses.
        -- Added to tables made before; a row inserted without it (a host of that time) counts from its grant, as then.
        ALTER TABLE {Schema}.grants
            ADD COLUMN IF NOT EXISTS id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            ADD COLUMN IF NOT EXISTS counts_from_utc timestamptz NOT NULL DEFAULT clock_timestamp();
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
    /// Takes one request from the budget: a grant, to be disposed once the request has completed (answered, failed or
    /// cancelled), or how long until one may be granted (the caller stops and resumes later, or waits that long
    /// without holding a connection). A grant never disposed (its process died) counts as completed
    /// <paramref name="requestTimeout"/> after it was granted, so the request must end by then.
    /// </summary>
    public async Task<BudgetDecision> TryTakeAsync(string budgetKey, int limit, TimeSpan window, TimeSpan requestTimeout, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);

        // One round trip for the whole decision: a batch runs as one implicit transaction, which holds the advisory
        // lock until it commits. A slot frees one window after its grant's counts_from_utc; a slot in flight frees one
        // window after its release at the earliest, so that is the wait it adds.
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                AsyncCommit(),
                Command("SELECT pg_advisory_xact_lock(hashtextextended('hub_budget:' || $1, 0))", budgetKey),
                Command($"DELETE FROM {Schema}.grants WHERE budget_key = $1 AND counts_from_utc <= clock_timestamp() - $2", budgetKey, window),
                Command(
                    $"""
                    WITH state AS (
                        SELECT (SELECT until_utc - clock_timestamp() FROM {Schema}.pauses WHERE budget_key = $1 AND until_utc > clock_timestamp()) AS paused,
                               (SELECT count(*) FROM {Schema}.grants WHERE budget_key = $1) AS used,
                               (SELECT min(LEAST(counts_from_utc - clock_timestamp(), interval '0')) + $2 FROM {Schema}.grants WHERE budget_key = $1) AS first_frees),
                    granted AS (
                        INSERT INTO {Schema}.grants (budget_key, granted_utc, counts_from_utc)
                        SELECT $1, clock_timestamp(), clock_timestamp() + $4 FROM state WHERE paused IS NULL AND used < $3
                        RETURNING id)
                    SELECT paused, first_frees, (SELECT id FROM granted) FROM state
                    """, budgetKey, window, (long)limit, requestTimeout),
            },
        };

        TimeSpan? paused, firstFrees;
        long? grant;
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            // The decision is the last statement's one row (the statements before it return one column or none).
            while (reader.FieldCount != 3 || !await reader.ReadAsync(cancellationToken))
            {
                if (!await reader.NextResultAsync(cancellationToken))
                    throw new InvalidOperationException("The budget query returned no decision.");
            }

            paused = reader.IsDBNull(0) ? null : reader.GetFieldValue<TimeSpan>(0);
            firstFrees = reader.IsDBNull(1) ? null : reader.GetFieldValue<TimeSpan>(1);
            grant = reader.IsDBNull(2) ? null : reader.GetInt64(2);
        }

        return grant is { } id
            ? new BudgetDecision(new RequestGrant(this, id), TimeSpan.Zero)
            : new BudgetDecision(null, paused ?? Positive(firstFrees));
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

    /// <summary>
    /// The grant's request has completed: its slot counts for one window from now. Not cancellable, since it runs
    /// after the request whatever ended it; a failure is not thrown over the request's own outcome (the grant then
    /// lapses at its request timeout, as a crashed holder's does).
    /// </summary>
    internal async Task ReleaseAsync(long grant)
    {
        try
        {
            await using var batch = dataSource.CreateBatch();
            batch.BatchCommands.Add(AsyncCommit());
            batch.BatchCommands.Add(Command($"UPDATE {Schema}.grants SET counts_from_utc = clock_timestamp() WHERE id = $1", grant));
            await batch.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException)
        {
        }
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

    // A grant lives for a window or so, so neither its insert nor its release need wait for the disk: after a database
    // crash at most the last moments' grants are forgotten, or count until their request timeout (visibility is unaffected).
    private static NpgsqlBatchCommand AsyncCommit() => new("SELECT set_config('synchronous_commit', 'off', true)");

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
