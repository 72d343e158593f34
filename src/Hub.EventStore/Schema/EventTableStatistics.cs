using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Hub.EventStore.Schema;

/// <summary>
/// Keeps PostgreSQL's planner statistics of the store's tables current while they grow fast, as in an initial sync
/// (ADR 0028). Autovacuum analyzes a table at most once a minute per database, and only after it grew by a tenth; until
/// then the daemon's page query (a <c>seq_id</c> range joined to <c>mt_streams</c>, ordered, limited) is planned for a
/// handful of rows and reads, joins and sorts the whole backlog above its position for every page (244 ms instead of
/// 2.3 ms for a page of 500 on 187,000 events), and a look-up of many keys in a read model's computed index
/// (<c>data->>'linkFromKey' = ANY(…)</c>) reads and decompresses every document. Every
/// <c>EventStore:StatisticsInterval</c> this asks <c>pg_stat_user_tables</c>, and analyzes:
/// <list type="bullet">
/// <item><c>mt_events</c> and <c>mt_streams</c> once <c>EventStore:AnalyzeFromRows</c> of their rows changed since the
/// last analyze;</item>
/// <item>a read model's table (<c>mt_doc_*</c>, for the statistics of its computed indexes) once it holds that many rows
/// and twice the rows of its last analyze: its plans change with its size, not with the updates a projection makes.</item>
/// </list>
/// Each with a small sample (<see cref="SampleTarget"/>).
/// </summary>
public sealed partial class EventTableStatistics(
    NpgsqlDataSource dataSource, EventStoreOptions options, TimeProvider time, ILogger<EventTableStatistics> logger) : BackgroundService
{
    /// <summary>
    /// PostgreSQL samples 300 rows per unit of statistics target: 3,000 here rather than the default 30,000. Plans
    /// need the table's size and rough distributions; the full sample made each analyze of <c>mt_events</c> cost
    /// ≈ 0.5 s of server time during a sync.
    /// </summary>
    private const int SampleTarget = 10;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.AnalyzeFromRows <= 0)
            return;
        using var timer = new PeriodicTimer(options.StatisticsInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                // Statistics are an optimisation: a database that is away now is analyzed on a later tick.
                LogRefreshFailed(ex);
            }
        }
    }

    /// <summary>Analyzes the store's tables whose statistics fell behind (rules above); returns their names.</summary>
    public async Task<IReadOnlyList<string>> RefreshAsync(CancellationToken cancellationToken = default)
    {
        var stale = new List<string>();
        await using (var command = dataSource.CreateCommand(
            """
            SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
            WHERE s.schemaname = $1 AND (
                (s.relname IN ('mt_events', 'mt_streams') AND s.n_mod_since_analyze >= $2)
                OR (s.relname LIKE 'mt\_doc\_%' AND s.n_live_tup >= greatest($2, 2 * c.reltuples)))
            """))
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = EventStoreSetup.SchemaName });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = options.AnalyzeFromRows });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                stale.Add(reader.GetString(0));
        }

        foreach (var table in stale)
        {
            // Whole tables: an analyze of some columns leaves the table's count of changed rows where it was. The
            // store's own table names, read from the catalog above (never from input), quoted.
            await using var analyze = dataSource.CreateCommand(
                $"SET default_statistics_target = {SampleTarget}; ANALYZE {EventStoreSetup.SchemaName}.\"{table}\"; RESET default_statistics_target");
            await analyze.ExecuteNonQueryAsync(cancellationToken);
            LogAnalyzed(table);
        }

        return stale;
    }

    [LoggerMessage(LogLevel.Debug, "Analyzed {Table}: its planner statistics were behind its growth")]
    private partial void LogAnalyzed(string table);

    [LoggerMessage(LogLevel.Warning, "Could not refresh the event tables' planner statistics; trying again on the next tick")]
    private partial void LogRefreshFailed(Exception ex);
}
