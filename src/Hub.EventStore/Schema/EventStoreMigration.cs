using JasperFx;
using Marten;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Hub.EventStore.Schema;

/// <summary>
/// The explicit migrate step (<c>Hub.Projections migrate</c>; a Kubernetes Job before the hosts roll): checks
/// durability, then applies Marten's computed schema diff. A session advisory lock serialises concurrent runs, so
/// two Jobs or a Job and a developer never race on the same DDL; the second finds nothing left to do.
/// </summary>
public sealed partial class EventStoreMigration(IDocumentStore store, NpgsqlDataSource dataSource, EventStoreOptions options, ILogger<EventStoreMigration> logger)
{
    // Any fixed number unique to this purpose; 'hubmigr' in ASCII.
    private const long LockKey = 0x6875626D69677200;

    public async Task ApplyAsync(CancellationToken cancellationToken = default)
    {
        await DurabilityCheck.EnsureAsync(dataSource, options.AllowUnsafeDurability, cancellationToken);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection))
        {
            // DDL can wait behind long transactions; the lock wait and the migration have no command timeout.
            command.CommandTimeout = 0;
            command.Parameters.AddWithValue("key", LockKey);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            LogApplying(EventStoreSetup.SchemaName);
            await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync(AutoCreate.CreateOrUpdate);
            LogApplied(EventStoreSetup.SchemaName);
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
            unlock.Parameters.AddWithValue("key", LockKey);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    [LoggerMessage(LogLevel.Information, "Applying the event store schema '{Schema}'")]
    private partial void LogApplying(string schema);

    [LoggerMessage(LogLevel.Information, "Event store schema '{Schema}' is up to date")]
    private partial void LogApplied(string schema);
}

public static class EventStoreMigrationHostExtensions
{
    /// <summary>Runs the migrate step with the host's configuration and logging; 0 when the schema is current.</summary>
    public static async Task<int> MigrateEventStoreAsync(this Microsoft.Extensions.Hosting.IHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        await using var scope = host.Services.CreateAsyncScope();
        try
        {
            await scope.ServiceProvider.GetRequiredService<EventStoreMigration>().ApplyAsync();
            return 0;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("Hub.EventStore.Migration")
                .LogCritical(ex, "The event store schema could not be applied");
            return 1;
        }
        finally
        {
            if (host is IAsyncDisposable disposable)
                await disposable.DisposeAsync();
            else
                host.Dispose();
        }
    }
}
