using Hub.ServiceDefaults.Postgres;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Hub.Ingest.Leadership;

/// <summary>
/// Leader election per connection and resource across processes: a session-level PostgreSQL advisory lock held
/// on a dedicated (unpooled) connection. TCP keepalives and Npgsql's keepalive query make a dead holder's session —
/// and so its lock — end within about 20 s; another process's next attempt then takes over. See ADR 0013.
/// </summary>
public sealed class LeaderLocks(IConfiguration configuration, TimeProvider clock)
{
    private readonly TimeSpan _retryInterval = configuration.GetValue("Ingest:Leadership:RetryInterval", TimeSpan.FromSeconds(5));
    private readonly TimeSpan _errorBackoff = configuration.GetValue("Ingest:ErrorBackoff", TimeSpan.FromSeconds(10));

    /// <summary>
    /// Leads <paramref name="connection"/>/<paramref name="resource"/> whenever it can until stopped: takes the lock (or
    /// tries again every <c>Ingest:Leadership:RetryInterval</c>), then runs <paramref name="cycle"/> after cycle while the
    /// session holds, waiting what each returns. A database that cannot be reached waits <c>Ingest:ErrorBackoff</c>.
    /// </summary>
    public async Task LeadAsync(string connection, string resource, Func<LeaderLease, CancellationToken, Task<TimeSpan>> cycle, ILogger logger, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var lease = await TryAcquireAsync(connection, resource, stoppingToken);
                if (lease is null)
                {
                    await Task.Delay(_retryInterval, clock, stoppingToken);
                    continue;
                }

                logger.LogInformation("Leading {Connection}/{Resource}", connection, resource);
                while (await lease.IsHeldAsync(stoppingToken))
                    await Task.Delay(await cycle(lease, stoppingToken), clock, stoppingToken);
                logger.LogWarning("Lost leadership of {Connection}/{Resource}", connection, resource);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                logger.LogWarning("Leadership of {Connection}/{Resource} unavailable ({Error}: {Message}); retrying", connection, resource, e.GetType().Name, e.Message);
                await Task.Delay(_errorBackoff, clock, stoppingToken);
            }
        }
    }

    /// <summary>The lease, or null when another process holds it.</summary>
    public async Task<LeaderLease?> TryAcquireAsync(string connection, string resource, CancellationToken cancellationToken)
    {
        // From configuration: a data source's ConnectionString no longer holds the password.
        var builder = new NpgsqlConnectionStringBuilder(configuration.GetConnectionString(PostgresSetup.ConnectionStringName))
        {
            Pooling = false,
            KeepAlive = 5,
            TcpKeepAlive = true,
            TcpKeepAliveTime = 5,
            TcpKeepAliveInterval = 2,
            ApplicationName = "hub-ingest-leader",
        };
        var session = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await session.OpenAsync(cancellationToken);

            // The server side too: a holder that vanishes without closing its socket (a partitioned pod) loses the
            // lock after ~5 + 3 × 2 s instead of the OS default of hours.
            await using (var keepalive = new NpgsqlCommand("SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; SET tcp_keepalives_count = 3", session))
                await keepalive.ExecuteNonQueryAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(hashtextextended(@key, 0))", session);
            command.Parameters.AddWithValue("key", $"hub_ingest.poll:{connection}:{resource}");
            if ((bool)(await command.ExecuteScalarAsync(cancellationToken))!)
                return new LeaderLease(session);
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }

        await session.DisposeAsync();
        return null;
    }
}

/// <summary>Held while its session lives; disposing it ends the session and so releases the lock.</summary>
public sealed class LeaderLease(NpgsqlConnection session) : IAsyncDisposable
{
    /// <summary>False once the session broke: the lock may be someone else's by now, so stop before the next page.</summary>
    public async Task<bool> IsHeldAsync(CancellationToken cancellationToken)
    {
        if (session.FullState != System.Data.ConnectionState.Open)
            return false;
        try
        {
            await using var ping = new NpgsqlCommand("SELECT 1", session);
            await ping.ExecuteScalarAsync(cancellationToken);
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync() => session.DisposeAsync();
}
