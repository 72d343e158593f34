using System.Globalization;
using Hub.EventStore.TestWorker;
using Hub.EventStore.Writing;
using Hub.ServiceDefaults.Postgres;
using Hub.Testing;
using JasperFx;
using Marten;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Hub.EventStore.Tests;

/// <summary>
/// A fresh database per test class with the hub's store settings (<see cref="EventStoreSetup.Configure"/>) plus the
/// test fixtures (<see cref="TestEventStore.Configure"/>) applied, and the store objects over it, on connections set up
/// as every hub host sets them up (<see cref="PostgresSetup.HubDataSource"/>: automatic preparation, ADR 0009).
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
        DataSource = HubDataSource();
        Store = OpenStore(DataSource);
        await Store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
    }

    /// <summary>
    /// The store as another process (or this one after a restart) opens it: its own pool and store objects, nothing
    /// shared in memory; with <paramref name="configure"/>, different event mappings, its schema objects applied.
    /// </summary>
    public async Task<OtherProcess> OpenOtherProcessAsync(Action<StoreOptions>? configure = null)
    {
        var dataSource = HubDataSource();
        var opened = OpenStore(dataSource, configure);
        await opened.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        return new OtherProcess(opened, dataSource, Writer(opened));
    }

    private NpgsqlDataSource HubDataSource() => PostgresSetup.HubDataSource(Database.ConnectionString, "eventstore-tests").Build();

    private static DocumentStore OpenStore(NpgsqlDataSource dataSource, Action<StoreOptions>? configure = null) => DocumentStore.For(options =>
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

public sealed record OtherProcess(DocumentStore Store, NpgsqlDataSource DataSource, EventWriter Writer) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        Store.Dispose();
        await DataSource.DisposeAsync();
    }
}

/// <summary>Runs <paramref name="count"/> bodies released at the same instant, so they really contend.</summary>
public static class Race
{
    public static async Task<T[]> AtOnceAsync<T>(int count, Func<int, Task<T>> body)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            await start.Task;
            return await body(i);
        })).ToList();
        start.SetResult();
        return await Task.WhenAll(running);
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
