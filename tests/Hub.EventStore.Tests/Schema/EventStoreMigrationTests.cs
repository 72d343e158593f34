using Hub.EventStore.Schema;
using Hub.EventStore.TestWorker;
using Hub.Testing;
using JasperFx;
using Marten;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Hub.EventStore.Tests.Schema;

public sealed class EventStoreMigrationTests
{
    [Fact]
    public async Task The_schema_step_runs_twice_and_concurrently_without_error()
    {
        await using var database = await PostgresDatabase.CreateAsync("migrate");
        // Two "processes" (separate pools and stores, as two migrate Jobs would be), then one of them again.
        await using var first = Migrator.Open(database, new EventStoreOptions());
        await using var second = Migrator.Open(database, new EventStoreOptions());

        await Task.WhenAll(Task.Run(() => first.Migration.ApplyAsync()), Task.Run(() => second.Migration.ApplyAsync()));
        await first.Migration.ApplyAsync();

        await first.Store.Storage.Database.AssertDatabaseMatchesConfigurationAsync();
        // The stores never create schema objects themselves (AutoCreate.None), so this append needs the step's work.
        var written = await new Hub.EventStore.Writing.EventWriter(first.Store, TimeProvider.System, NullLogger<Hub.EventStore.Writing.EventWriter>.Instance)
            .WriteAsync("message-migrated", [TestEvents.Stream("test-contact-migrated", TestEvents.Contact("migrated", 1))]);
        Assert.Equal(1, written.Appended);
    }

    [Theory]
    [InlineData("on", "on", null)]
    [InlineData("on", "remote_apply", null)]
    [InlineData("on", "local", null)]
    [InlineData("off", "on", "fsync is 'off'")]
    [InlineData("on", "off", "synchronous_commit is 'off'")]
    public void The_durability_check_names_the_setting_that_would_lose_commits(string fsync, string synchronousCommit, string? problem) =>
        Assert.Equal(problem, DurabilityCheck.Describe(fsync, synchronousCommit));

    [Fact]
    public async Task The_schema_step_refuses_a_database_with_synchronous_commit_off_unless_explicitly_allowed()
    {
        await using var database = await UnsafeDatabaseAsync("unsafemigrate");

        await using (var refusing = Migrator.Open(database, new EventStoreOptions()))
        {
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => refusing.Migration.ApplyAsync());
            Assert.Contains("synchronous_commit is 'off'", refused.Message, StringComparison.Ordinal);
        }

        Assert.False(await EventsTableExistsAsync(database));
        await using (var allowed = Migrator.Open(database, new EventStoreOptions { AllowUnsafeDurability = true }))
            await allowed.Migration.ApplyAsync();
        Assert.True(await EventsTableExistsAsync(database));
    }

    [Fact]
    public async Task Start_up_refuses_a_database_with_synchronous_commit_off()
    {
        await using var database = await UnsafeDatabaseAsync("unsafestart");

        using var host = TestEventStore.CreateHostBuilder(database.ConnectionString).Build();
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains("synchronous_commit is 'off'", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_up_refusing_an_unsafe_database_touches_nothing_in_it()
    {
        await using var database = await UnsafeDatabaseAsync("unsafetouch");

        using (var host = TestEventStore.CreateHostBuilder(database.ConnectionString).Build())
            await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.False(await EventsTableExistsAsync(database));
    }

    private static async Task<PostgresDatabase> UnsafeDatabaseAsync(string purpose)
    {
        var database = await PostgresDatabase.CreateAsync(purpose);
        await using var admin = NpgsqlDataSource.Create(TestServers.Postgres);
        await using var command = admin.CreateCommand($"ALTER DATABASE \"{database.Name}\" SET synchronous_commit = off");
        await command.ExecuteNonQueryAsync();
        return database;
    }

    private static async Task<bool> EventsTableExistsAsync(PostgresDatabase database)
    {
        await using var dataSource = database.CreateDataSource();
        await using var command = dataSource.CreateCommand("SELECT to_regclass('hub.mt_events') IS NOT NULL");
        return (bool)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The migrate step as one process runs it: its own pool, a store that creates nothing by itself.</summary>
    private sealed record Migrator(EventStoreMigration Migration, DocumentStore Store, NpgsqlDataSource DataSource) : IAsyncDisposable
    {
        public static Migrator Open(PostgresDatabase database, EventStoreOptions options)
        {
            var dataSource = database.CreateDataSource();
            var store = DocumentStore.For(o =>
            {
                o.Connection(dataSource);
                EventStoreSetup.Configure(o, AutoCreate.None);
                TestEventStore.Configure(o);
            });
            return new Migrator(new EventStoreMigration(store, dataSource, options, NullLogger<EventStoreMigration>.Instance), store, dataSource);
        }

        public async ValueTask DisposeAsync()
        {
            Store.Dispose();
            await DataSource.DisposeAsync();
        }
    }
}
