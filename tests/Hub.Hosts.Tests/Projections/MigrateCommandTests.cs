using System.Diagnostics;
using Hub.Testing;
using Npgsql;

namespace Hub.Hosts.Tests.Projections;

/// <summary>`Hub.Projections migrate` as the Kubernetes Job runs it: a real process, Production environment.</summary>
public sealed class MigrateCommandTests
{
    [Fact]
    public async Task Migrate_creates_the_schema_and_exits_zero_and_a_second_run_changes_nothing()
    {
        await using var database = await PostgresDatabase.CreateAsync("migrate_cmd");

        var first = await RunMigrateAsync(database.ConnectionString);
        var tables = await TablesAsync(database.ConnectionString);
        var second = await RunMigrateAsync(database.ConnectionString);

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("mt_events", tables);
        Assert.Contains("mt_streams", tables);
        Assert.Contains("mt_doc_processedmessage", tables);
        Assert.Contains("mt_doc_sourcerecord", tables);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Equal(tables, await TablesAsync(database.ConnectionString));
    }

    [Fact]
    public async Task Migrate_refuses_a_database_without_synchronous_commit_and_exits_non_zero()
    {
        await using var database = await PostgresDatabase.CreateAsync("migrate_unsafe");
        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"ALTER DATABASE \"{database.Name}\" SET synchronous_commit = off", connection);
            await command.ExecuteNonQueryAsync();
        }

        var run = await RunMigrateAsync(database.ConnectionString);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("synchronous_commit", run.Output, StringComparison.Ordinal);
        Assert.Empty(await TablesAsync(database.ConnectionString));
    }

    private static async Task<(int ExitCode, string Output)> RunMigrateAsync(string connectionString)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Hub.Projections.dll"));
        start.ArgumentList.Add("migrate");
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__Postgres"] = connectionString;
        start.Environment["Logging__Format"] = "text";
        // The Job needs nothing but PostgreSQL.
        start.Environment.Remove("ConnectionStrings__RabbitMq");

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static async Task<List<string>> TablesAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'hub' ORDER BY table_name", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var tables = new List<string>();
        while (await reader.ReadAsync())
            tables.Add(reader.GetString(0));
        return tables;
    }
}
