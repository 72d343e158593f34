using System.Reflection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Hub.Ingest.Storage;

/// <summary>
/// Ingest's own tables (checkpoints, webhook ids, parked deliveries) in the PostgreSQL schema
/// <c>hub_ingest</c>. Every embedded <c>*.sql</c> file of this assembly is applied at start-up in name order, in one
/// transaction under an advisory lock, so pods starting together do not race. Each file must be idempotent
/// (<c>CREATE ... IF NOT EXISTS</c>, <c>ADD COLUMN IF NOT EXISTS</c>): they run on every start.
/// </summary>
public sealed class IngestSchema(NpgsqlDataSource dataSource) : IHostedService
{
    public const string Name = "hub_ingest";

    // 'hubingst' in ASCII; a different key than the event store's migration.
    private const long LockKey = 0x687562696E677374;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, transaction))
        {
            command.Parameters.AddWithValue("key", LockKey);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var create = new NpgsqlCommand($"CREATE SCHEMA IF NOT EXISTS {Name}", connection, transaction))
            await create.ExecuteNonQueryAsync(cancellationToken);

        foreach (var script in Scripts())
        {
            await using var command = new NpgsqlCommand(script, connection, transaction);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static IEnumerable<string> Scripts()
    {
        var assembly = Assembly.GetExecutingAssembly();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.EndsWith(".sql", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
            yield return reader.ReadToEnd();
        }
    }
}
