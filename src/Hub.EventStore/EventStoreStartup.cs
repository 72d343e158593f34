using Hub.EventStore.Schema;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hub.EventStore;

/// <summary>Checks durability settings and applies the schema before anything else in the host uses the store.</summary>
public sealed class EventStoreStartup(NpgsqlDataSource dataSource, SchemaMigrator migrator, IOptions<EventStoreOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await DurabilityCheck.EnsureAsync(dataSource, options.Value.AllowUnsafeDurability, cancellationToken);
        if (options.Value.MigrateOnStart)
            await migrator.MigrateAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
