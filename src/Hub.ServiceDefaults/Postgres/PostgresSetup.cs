using System.Data.Common;
using Hub.ServiceDefaults.Health;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Hub.ServiceDefaults.Postgres;

public static class PostgresSetup
{
    public const string ConnectionStringName = "Postgres";

    /// <summary>
    /// Npgsql's <c>Max Auto Prepare</c> unless the connection string sets its own (ADR 0009): the append path repeats
    /// the same few statements hundreds of times per transaction, and preparing them spares the server their parsing
    /// and planning. <c>Max Auto Prepare=0</c> in the connection string turns it off (a pooler without prepared statements).
    /// </summary>
    public const int MaxAutoPrepare = 100;

    /// <summary>One pooled <see cref="NpgsqlDataSource"/> for the process, from <c>ConnectionStrings:Postgres</c>, and a readiness check on it.</summary>
    public static WebApplicationBuilder AddPostgres(this WebApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionStringName)
            ?? throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionStringName} is not configured (environment variable ConnectionStrings__{ConnectionStringName}).");

        builder.Services.AddSingleton(_ => HubDataSource(connectionString, builder.Environment.ApplicationName).Build());
        builder.Services.AddHealthChecks().AddCheck<PostgresHealthCheck>("postgres", tags: [HealthEndpoints.ReadyTag], timeout: TimeSpan.FromSeconds(3));
        return builder;
    }

    /// <summary>The settings every hub process puts on its connections, on top of the connection string's.</summary>
    public static NpgsqlDataSourceBuilder HubDataSource(string connectionString, string applicationName)
    {
        var dataSource = new NpgsqlDataSourceBuilder(connectionString);
        var settings = dataSource.ConnectionStringBuilder;
        settings.ApplicationName ??= applicationName;
        settings.Options = WithSessionSettings(settings.Options);
        if (!Sets(connectionString, "maxautoprepare"))
            settings.MaxAutoPrepare = MaxAutoPrepare;
        return dataSource;
    }

    // Whether the connection string names the setting itself, in any of its spellings ("Max Auto Prepare", "MaxAutoPrepare").
    private static bool Sets(string connectionString, string compactKey) =>
        new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Any(key => string.Equals(key.Replace(" ", "", StringComparison.Ordinal), compactKey, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Settings of every hub session, each unless the connection string's <c>Options</c> choose their own:
    /// <list type="bullet">
    /// <item><c>idle_in_transaction_session_timeout=60s</c>: a session of ours left idle inside a transaction would hold
    /// every async projection back (ADR 0008).</item>
    /// <item><c>random_page_cost=1.1</c>: the planner's cost of a random page read on SSD storage, which every managed
    /// PostgreSQL has, instead of the spinning-disk default 4 (ADR 0029). With 4 the async daemon's page query joined
    /// every event above its position to a hash of all of <c>mt_streams</c> and sorted them on disk, instead of reading one
    /// page in order.</item>
    /// </list>
    /// </summary>
    public static string WithSessionSettings(string? options)
    {
        var settings = options ?? "";
        foreach (var (name, value) in SessionSettings)
            if (!settings.Contains(name, StringComparison.Ordinal))
                settings = $"{settings} -c {name}={value}";
        return settings.TrimStart();
    }

    private static readonly (string Name, string Value)[] SessionSettings =
        [("idle_in_transaction_session_timeout", "60s"), ("random_page_cost", "1.1")];
}
