using Hub.EventStore.Schema;
using Hub.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Hub.EventStore.Tests.Schema;

public sealed class SchemaMigratorTests
{
    [Fact]
    public async Task Migrations_run_twice_and_concurrently_without_error()
    {
        await using var database = await PostgresDatabase.CreateAsync("migrations");
        var dataSources = Enumerable.Range(0, 4).Select(_ => database.CreateDataSource()).ToList();
        try
        {
            // Four "processes" (separate pools) starting at once, then one of them again.
            await Task.WhenAll(dataSources.Select(ds => new SchemaMigrator(ds, NullLogger<SchemaMigrator>.Instance).MigrateAsync()));
            await new SchemaMigrator(dataSources[0], NullLogger<SchemaMigrator>.Instance).MigrateAsync();

            await using var command = dataSources[0].CreateCommand("SELECT count(*), count(DISTINCT version) FROM event_store.schema_migrations");
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            Assert.Equal(SchemaMigrator.Scripts().Count, reader.GetInt64(0));
            Assert.Equal(reader.GetInt64(0), reader.GetInt64(1));
        }
        finally
        {
            foreach (var ds in dataSources)
                await ds.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("on", "on", null)]
    [InlineData("on", "remote_apply", null)]
    [InlineData("off", "on", "fsync is 'off'")]
    [InlineData("on", "off", "synchronous_commit is 'off'")]
    public void Durability_check_names_the_setting_that_would_lose_commits(string fsync, string synchronousCommit, string? problem) =>
        Assert.Equal(problem, DurabilityCheck.Describe(fsync, synchronousCommit));

    [Fact]
    public async Task Start_up_refuses_a_database_with_synchronous_commit_off_unless_explicitly_allowed()
    {
        await using var database = await PostgresDatabase.CreateAsync("durability");
        await using (var durable = database.CreateDataSource())
            await DurabilityCheck.EnsureAsync(durable, allowUnsafe: false);

        await using (var admin = NpgsqlDataSource.Create(TestServers.Postgres))
        await using (var command = admin.CreateCommand($"ALTER DATABASE \"{database.Name}\" SET synchronous_commit = off"))
            await command.ExecuteNonQueryAsync();

        await using var unsafeDatabase = database.CreateDataSource();
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => DurabilityCheck.EnsureAsync(unsafeDatabase, allowUnsafe: false));
        Assert.Contains("synchronous_commit is 'off'", refused.Message, StringComparison.Ordinal);
        await DurabilityCheck.EnsureAsync(unsafeDatabase, allowUnsafe: true);
    }
}
