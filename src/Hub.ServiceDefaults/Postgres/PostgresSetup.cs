using Hub.ServiceDefaults.Health;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Hub.ServiceDefaults.Postgres;

public static class PostgresSetup
{
    public const string ConnectionStringName = "Postgres";

    /// <summary>One pooled <see cref="NpgsqlDataSource"/> for the process, from <c>ConnectionStrings:Postgres</c>, and a readiness check on it.</summary>
    public static WebApplicationBuilder AddPostgres(this WebApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionStringName)
            ?? throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionStringName} is not configured (environment variable ConnectionStrings__{ConnectionStringName}).");

        builder.Services.AddSingleton(_ =>
        {
            var dataSource = new NpgsqlDataSourceBuilder(connectionString);
            dataSource.ConnectionStringBuilder.ApplicationName ??= builder.Environment.ApplicationName;
            dataSource.ConnectionStringBuilder.Options = WithIdleTransactionTimeout(dataSource.ConnectionStringBuilder.Options);
            return dataSource.Build();
        });
        builder.Services.AddHealthChecks().AddCheck<PostgresHealthCheck>("postgres", tags: [HealthEndpoints.ReadyTag], timeout: TimeSpan.FromSeconds(3));
        return builder;
    }

    /// <summary>
    /// A session of ours left idle inside a transaction would hold every async projection back (ADR 0008), so hub
    /// sessions end such a transaction after a minute unless the connection string chose its own limit.
    /// </summary>
    public static string WithIdleTransactionTimeout(string? options) =>
        options is not null && options.Contains("idle_in_transaction_session_timeout", StringComparison.Ordinal)
            ? options
            : $"{options} -c idle_in_transaction_session_timeout=60s".TrimStart();
}
