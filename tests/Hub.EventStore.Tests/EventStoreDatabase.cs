using System.Globalization;
using Hub.EventStore.TestWorker;
using Hub.EventStore.Writing;
using Hub.Testing;
using JasperFx;
using Marten;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Hub.EventStore.Tests;

/// <summary>
/// A fresh database per test class with the hub's store settings (<see cref="EventStoreSetup.Configure"/>) plus the
/// test fixtures (<see cref="TestEventStore.Configure"/>) applied, and the store objects over it.
/// </summary>
public sealed class EventStoreDatabase : IAsyncLifetime
{
    private PostgresDatabase? _database;

    public PostgresDatabase Database => _database ?? throw new InvalidOperationException("Not initialised.");

    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public DocumentStore Store { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _database = await PostgresDatabase.CreateAsync("eventstore");
        DataSource = _database.CreateDataSource();
        Store = OpenStore(DataSource);
        await Store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
    }

    /// <summary>A store built as a separate process would build it; pass a new data source for a separate pool too.</summary>
    public static DocumentStore OpenStore(NpgsqlDataSource dataSource, Action<StoreOptions>? configure = null) => DocumentStore.For(options =>
    {
        options.Connection(dataSource);
        EventStoreSetup.Configure(options, AutoCreate.CreateOrUpdate);
        (configure ?? TestEventStore.Configure)(options);
    });

    public EventWriter Writer(IDocumentStore? store = null) => new(store ?? Store, TimeProvider.System, NullLogger<EventWriter>.Instance);

    public async Task<long> ScalarAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    public async Task<string> TextAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        return Convert.ToString(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture) ?? "";
    }

    public async Task DisposeAsync()
    {
        Store?.Dispose();
        if (DataSource is not null)
            await DataSource.DisposeAsync();
        if (_database is not null)
            await _database.DisposeAsync();
    }
}

public static class TestEvents
{
    /// <summary>One observation of a contact; the id is deterministic, as the hub's ingest derives it.</summary>
    public static PendingEvent Contact(string contactId, int revision) => new(
        DeterministicEventId.From("test", contactId, revision.ToString(CultureInfo.InvariantCulture)),
        new ContactObserved(contactId, revision));

    public static StreamEvents Stream(string streamKey, params PendingEvent[] events) => new(streamKey, events);
}
