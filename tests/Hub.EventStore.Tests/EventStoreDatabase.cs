using Hub.EventStore.Appending;
using Hub.EventStore.Reading;
using Hub.EventStore.Schema;
using Hub.EventStore.Types;
using Hub.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Hub.EventStore.Tests;

/// <summary>A fresh, migrated database per test class, plus the store objects over it.</summary>
public sealed class EventStoreDatabase : IAsyncLifetime
{
    private PostgresDatabase? _database;

    public PostgresDatabase Database => _database ?? throw new InvalidOperationException("Not initialised.");

    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public static EventTypeMap Types() => new EventTypeMap().Register<ContactObserved>("test.contact.observed", 1);

    public async Task InitializeAsync()
    {
        _database = await PostgresDatabase.CreateAsync(nameof(EventStoreDatabase));
        DataSource = _database.CreateDataSource();
        await new SchemaMigrator(DataSource, NullLogger<SchemaMigrator>.Instance).MigrateAsync();
    }

    public EventAppender Appender(NpgsqlDataSource? dataSource = null, EventTypeMap? types = null) =>
        new(dataSource ?? DataSource, types ?? Types(), TimeProvider.System, NullLogger<EventAppender>.Instance);

    public EventReader Reader(NpgsqlDataSource? dataSource = null, EventTypeMap? types = null) =>
        new(dataSource ?? DataSource, types ?? Types());

    public async Task<long> ScalarAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task DisposeAsync()
    {
        await DataSource.DisposeAsync();
        if (_database is not null)
            await _database.DisposeAsync();
    }
}

public sealed record ContactObserved(string ContactId, int Revision);

public static class TestEvents
{
    public static EventData Contact(string contactId, int revision) => new(
        DeterministicEventId.From("test", contactId, revision.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new ContactObserved(contactId, revision),
        new EventMetadata(CorrelationId: "corr-1", CausationId: "cause-1", Source: "test"));
}
