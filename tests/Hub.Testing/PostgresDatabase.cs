using Npgsql;

namespace Hub.Testing;

/// <summary>
/// A fresh database on the test server, dropped on dispose, so test classes never see each other's rows.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    private PostgresDatabase(string name, string connectionString)
    {
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public static async Task<PostgresDatabase> CreateAsync(string purpose)
    {
        // At most 2 + 16 + 1 + 32 characters: within PostgreSQL's 63-byte identifier limit.
        var name = $"t_{Sanitize(purpose)}_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(TestServers.Postgres))
        {
            await admin.OpenAsync();
            // UTF8 whatever the server's default: an initdb without a locale defaults to SQL_ASCII, which refuses
            // non-ASCII text from UTF8 clients (a source's "Malmö" fails the append).
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0", admin);
            await create.ExecuteNonQueryAsync();
        }

        var builder = new NpgsqlConnectionStringBuilder(TestServers.Postgres) { Database = name };
        return new PostgresDatabase(name, builder.ConnectionString);
    }

    public NpgsqlDataSource CreateDataSource() => NpgsqlDataSource.Create(ConnectionString);

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(TestServers.Postgres);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    private static string Sanitize(string purpose)
    {
        var chars = purpose.ToLowerInvariant().Where(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_').Take(16);
        return new string(chars.ToArray());
    }
}
