using Hub.ServiceDefaults.Postgres;
using Hub.Testing;
using Npgsql;

namespace Hub.Hosts.Tests.Postgres;

/// <summary>
/// The hosts' connections prepare their repeated statements (ADR 0009), and a deployment behind a pooler without
/// prepared statements turns that off in its connection string; their sessions carry the hub's settings (ADRs 0008,
/// 0029) unless the connection string names its own.
/// </summary>
public sealed class HubDataSourceTests
{
    [Fact]
    public async Task Repeated_statements_are_prepared_on_the_hosts_connections()
    {
        await using var database = await PostgresDatabase.CreateAsync("datasource");
        Assert.NotEqual(0, await PreparedAfterRepeatsAsync(database.ConnectionString));
    }

    [Fact]
    public async Task A_connection_string_with_Max_Auto_Prepare_0_prepares_nothing()
    {
        await using var database = await PostgresDatabase.CreateAsync("datasource");
        Assert.Equal(0, await PreparedAfterRepeatsAsync(database.ConnectionString + ";Max Auto Prepare=0"));
    }

    [Fact]
    public async Task The_hosts_sessions_end_idle_transactions_and_plan_for_ssd_storage()
    {
        await using var database = await PostgresDatabase.CreateAsync("datasource");
        Assert.Equal(("1min", "1.1"), await SessionSettingsAsync(database.ConnectionString));
    }

    [Fact]
    public async Task A_connection_string_that_sets_its_own_planner_cost_keeps_it()
    {
        await using var database = await PostgresDatabase.CreateAsync("datasource");
        Assert.Equal(("1min", "4"), await SessionSettingsAsync(database.ConnectionString + ";Options=-c random_page_cost=4"));
    }

    private static async Task<(string IdleTimeout, string RandomPageCost)> SessionSettingsAsync(string connectionString)
    {
        await using var dataSource = PostgresSetup.HubDataSource(connectionString, "hub-tests").Build();
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("SELECT current_setting('idle_in_transaction_session_timeout'), current_setting('random_page_cost')", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetString(0), reader.GetString(1));
    }

    // Runs one statement ten times on one connection of the hosts' data source and counts what the server holds prepared.
    private static async Task<long> PreparedAfterRepeatsAsync(string connectionString)
    {
        var oneConnection = new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = 1 }.ConnectionString;
        await using var dataSource = PostgresSetup.HubDataSource(oneConnection, "hub-tests").Build();
        await using var connection = await dataSource.OpenConnectionAsync();
        for (var i = 0; i < 10; i++)
        {
            await using var repeated = new NpgsqlCommand("SELECT count(*) FROM pg_class WHERE relkind = 'r'", connection);
            await repeated.ExecuteScalarAsync();
        }

        await using var prepared = new NpgsqlCommand("SELECT count(*) FROM pg_prepared_statements", connection);
        return (long)(await prepared.ExecuteScalarAsync())!;
    }
}
