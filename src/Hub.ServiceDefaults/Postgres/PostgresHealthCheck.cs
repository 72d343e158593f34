using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Hub.ServiceDefaults.Postgres;

/// <summary>
/// Readiness of PostgreSQL. Ours rather than AspNetCore.HealthChecks.NpgSql, which leaves broken connections in the
/// pool after an outage, so readiness would lag behind the server coming back.
/// </summary>
internal sealed class PostgresHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or OperationCanceledException or System.Net.Sockets.SocketException)
        {
            // A server that went away leaves broken connections in the pool; drop them so recovery is immediate.
            NpgsqlConnection.ClearAllPools();
            return HealthCheckResult.Unhealthy("PostgreSQL is not answering", ex);
        }
    }
}
