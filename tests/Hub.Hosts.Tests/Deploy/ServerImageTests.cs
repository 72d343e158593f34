using Hub.Testing;
using Npgsql;

namespace Hub.Hosts.Tests.Deploy;

/// <summary>The server images behave like the official ones where the hub relies on it.</summary>
public sealed class ServerImageTests
{
    [Fact]
    public async Task PostgreSQL_stores_UTF8_and_commits_durably()
    {
        await using var dataSource = NpgsqlDataSource.Create(TestServers.Postgres);
        await using var command = dataSource.CreateCommand(
            "SELECT current_setting('server_encoding'), current_setting('fsync'), current_setting('synchronous_commit')");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();

        Assert.Equal(("UTF8", "on", "on"), (reader.GetString(0), reader.GetString(1), reader.GetString(2)));
    }
}
