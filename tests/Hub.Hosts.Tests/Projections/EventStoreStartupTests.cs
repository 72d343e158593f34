using Hub.Hosts.Tests.Health;
using Hub.Testing;
using Npgsql;

namespace Hub.Hosts.Tests.Projections;

public sealed class EventStoreStartupTests
{
    [Fact]
    public async Task Projections_host_creates_the_event_store_schema_in_an_empty_database()
    {
        await using var database = await PostgresDatabase.CreateAsync("projections_startup");
        await using var app = HubHosts.Start("Hub.Projections", database.ConnectionString, out var client);

        var ready = await HubHosts.WaitForReadyStatusAsync(client, 200, TimeSpan.FromSeconds(60));

        Assert.Equal(200, ready);
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT to_regclass('hub.mt_events') IS NOT NULL AND to_regclass('hub.mt_streams') IS NOT NULL AND to_regclass('hub.mt_doc_processedmessage') IS NOT NULL",
            connection);
        Assert.True((bool)(await command.ExecuteScalarAsync())!);
    }
}
