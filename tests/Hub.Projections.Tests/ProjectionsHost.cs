using Hub.Contracts.Observations;
using Hub.EventStore;
using Hub.Projections.HubSpot;
using Hub.Projections.Records;
using Hub.Sync.Records;
using Hub.Testing;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Hub.Projections.Tests;

/// <summary>
/// The real Projections host (consumers, inline projection, daemon, publisher) in-process, on a database and a
/// virtual host of a test's own, and a plain MassTransit bus that sends observations the way Ingest does.
/// </summary>
internal sealed class ProjectionsHost : IAsyncDisposable
{
    private readonly List<WebApplicationFactory<Program>> _hosts = [];
    private IBusControl? _sender;

    private readonly Lazy<DocumentStore> _reader;

    private ProjectionsHost(PostgresDatabase database, RabbitMqVirtualHost broker)
    {
        Database = database;
        Broker = broker;
        _reader = new(() => DocumentStore.For(store =>
        {
            EventStoreSetup.Configure(store, JasperFx.AutoCreate.None);
            store.Connection(database.ConnectionString);
            store.AddRecordStreams().AddHubSpotReadModel();
        }));
    }

    public PostgresDatabase Database { get; }

    public RabbitMqVirtualHost Broker { get; }

    /// <summary>
    /// The newest running host's store (every host's store is the same database); with none running, a store of the
    /// test's own with the hosts' settings, to read what they left.
    /// </summary>
    public IDocumentStore Store => _hosts.Count > 0 ? Services.GetRequiredService<IDocumentStore>() : _reader.Value;

    /// <summary>The newest running host's services.</summary>
    public IServiceProvider Services => _hosts[^1].Services;

    public static async Task<ProjectionsHost> CreateAsync(string purpose) =>
        new(await PostgresDatabase.CreateAsync(purpose), await RabbitMqVirtualHost.CreateAsync(purpose));

    /// <summary>Starts one more Projections host (several compete for the queue like pods).</summary>
    public void StartHost(int concurrency = 4, IDictionary<string, string?>? settings = null)
    {
        var host = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("ConnectionStrings:Postgres", Database.ConnectionString);
            builder.UseSetting("ConnectionStrings:RabbitMq", Broker.Amqp.ToString());
            builder.UseSetting("Projections:ObservationConcurrency", concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture));
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
                builder.UseSetting(key, value);
        });
        _hosts.Add(host);
        _ = host.Server; // starts it
    }

    /// <summary>Sends to the observations queue by its <c>queue:</c> address, whose first send declares it (a classic queue; Ingest declares it itself and sends to its exchange).</summary>
    public async Task SendAsync(object message)
    {
        if (_sender is null)
        {
            var amqp = Broker.Amqp;
            var credentials = Uri.UnescapeDataString(amqp.UserInfo).Split(':', 2);
            _sender = Bus.Factory.CreateUsingRabbitMq(rabbit => rabbit.Host(amqp.Host, (ushort)amqp.Port, Broker.Name, h =>
            {
                h.Username(credentials[0]);
                h.Password(credentials[1]);
            }));
            await _sender.StartAsync();
        }

        var endpoint = await _sender.GetSendEndpoint(new Uri($"queue:{ObservationTransport.Queue}"));
        await endpoint.Send(message, message.GetType());
    }

    public async Task<IReadOnlyList<SourceRecord>> RecordsAsync()
    {
        await using var session = Store.QuerySession();
        return await session.Query<SourceRecord>().ToListAsync();
    }

    /// <summary>Every stored record event, per stream in version order.</summary>
    public async Task<ILookup<string, JasperFx.Events.IEvent>> EventsAsync()
    {
        await using var session = Store.QuerySession();
        var events = await session.Events.QueryAllRawEvents().OrderBy(e => e.Sequence).ToListAsync();
        return events.OrderBy(e => e.Version).ToLookup(e => e.StreamKey!);
    }

    /// <summary>Polls until <paramref name="done"/> holds or a generous deadline passes; the test asserts afterwards.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> done, int seconds = 120)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < until && !await done())
            await Task.Delay(200);
    }

    /// <summary>Stops the <paramref name="index"/>-th running host (0 = the oldest), as a pod going away.</summary>
    public async Task StopHostAsync(int index)
    {
        var host = _hosts[index];
        _hosts.RemoveAt(index);
        await host.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_sender is not null)
            await _sender.StopAsync();
        foreach (var host in _hosts)
            await host.DisposeAsync();
        if (_reader.IsValueCreated)
            _reader.Value.Dispose();
        await Broker.DisposeAsync();
        await Database.DisposeAsync();
    }
}

/// <summary>Observations as Ingest builds them.</summary>
internal static class Observations
{
    public static readonly DateTimeOffset Start = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);

    public static ObservedRecord Contact(int id, int version, bool deleted = false) => new(
        id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Start.AddSeconds(version),
        deleted ? Start.AddSeconds(version) : null,
        $"W/\"{version:x8}\"",
        System.Text.Json.JsonSerializer.SerializeToElement(new { id, firstName = $"First{id}", lastName = $"Last{id}", title = $"v{version}" }));

    public static RecordsObserved Page(string observationId, IEnumerable<ObservedRecord> records) =>
        new(observationId, "propstreet", "main", "contact", "poll", Start, [.. records]);
}
