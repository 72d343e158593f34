using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Hub.EventStore.Schema;

/// <summary>
/// An event store that loses acknowledged commits on a crash breaks every invariant built on it, so start-up (and
/// the migrate step) refuses a server with <c>fsync</c> or <c>synchronous_commit</c> off unless configuration
/// explicitly accepts that (<c>EventStore:AllowUnsafeDurability</c>).
/// </summary>
public sealed class DurabilityCheck(NpgsqlDataSource dataSource, EventStoreOptions options) : IHostedLifecycleService
{
    // StartingAsync runs before any hosted service's StartAsync, Marten's schema activator included (AddMarten puts
    // its services ahead of ones registered earlier), so a refused database is left untouched.
    public Task StartingAsync(CancellationToken cancellationToken) => EnsureAsync(dataSource, options.AllowUnsafeDurability, cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public static async Task EnsureAsync(NpgsqlDataSource dataSource, bool allowUnsafe, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var command = dataSource.CreateCommand("SELECT current_setting('fsync'), current_setting('synchronous_commit')");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var problem = Describe(reader.GetString(0), reader.GetString(1));
        if (problem is not null && !allowUnsafe)
            throw new InvalidOperationException(
                $"Refusing to start the event store: {problem}. Committed events could be lost on a crash. " +
                "Turn the setting on in postgresql.conf, or set EventStore__AllowUnsafeDurability=true for throwaway environments.");
    }

    /// <summary>What is wrong with the settings, or null if they are durable.</summary>
    public static string? Describe(string fsync, string synchronousCommit)
    {
        if (!string.Equals(fsync, "on", StringComparison.OrdinalIgnoreCase))
            return $"fsync is '{fsync}'";
        // 'local', 'remote_write' and 'remote_apply' all flush the local WAL before acknowledging; only 'off' does not.
        if (string.Equals(synchronousCommit, "off", StringComparison.OrdinalIgnoreCase))
            return $"synchronous_commit is '{synchronousCommit}'";
        return null;
    }
}
