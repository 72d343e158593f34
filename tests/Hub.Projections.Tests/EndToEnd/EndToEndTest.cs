extern alias ingest;

using System.Globalization;
using System.Text.Json;
using Hub.Contracts.Changes;
using Hub.Contracts.Observations;
using Hub.Ingest.Tests.Hosting;
using Hub.Sync.Records;
using JasperFx.Events;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using RabbitMQ.Client;
using IngestProgram = ingest::Program;

namespace Hub.Projections.Tests.EndToEnd;

/// <summary>
/// The whole path for one test: the real sandbox on Kestrel, Ingest and Projections in-process on a database and a
/// virtual host of the test's own, and a subscriber that is not MassTransit — its own durable queue bound to
/// <c>hub.changes</c> before anything is published, read with plain RabbitMQ.Client.
/// </summary>
public abstract class EndToEndTest : IAsyncLifetime
{
    protected const string SubscriberQueue = "e2e-subscriber";

    private readonly List<WebApplicationFactory<IngestProgram>> _ingest = [];
    private readonly List<JsonElement> _published = [];
    private IConnection? _connection;
    private IChannel? _channel;

    internal ProjectionsHost Hub { get; private set; } = null!;

    protected SandboxHost Sandbox { get; private set; } = null!;

    /// <summary>Contacts the sandbox starts with.</summary>
    protected virtual int Contacts => 1_200;

    /// <summary>The sandbox's settings: its sizes, and whatever a test needs on top.</summary>
    protected virtual Dictionary<string, string?> SandboxSettings() => new() { ["Sandbox:Sizes:Contacts"] = Contacts.ToString(CultureInfo.InvariantCulture) };

    /// <summary>The change events the subscriber read so far, in arrival order.</summary>
    protected IReadOnlyList<JsonElement> Published => _published;

    public async Task InitializeAsync()
    {
        Hub = await ProjectionsHost.CreateAsync(GetType().Name);
        Sandbox = SandboxHost.Start(SandboxSettings());
        _connection = await new ConnectionFactory { Uri = Hub.Broker.Amqp }.CreateConnectionAsync();
        _channel = await _connection.CreateChannelAsync();
        await _channel.ExchangeDeclareAsync(ChangeEventTypes.Exchange, ExchangeType.Topic, durable: true, autoDelete: false);
        await _channel.QueueDeclareAsync(SubscriberQueue, durable: true, exclusive: false, autoDelete: false);
        await _channel.QueueBindAsync(SubscriberQueue, ChangeEventTypes.Exchange, "propstreet.contact.#");
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _ingest)
            await host.DisposeAsync();
        if (_channel is not null)
            await _channel.DisposeAsync();
        if (_connection is not null)
            await _connection.DisposeAsync();
        await Sandbox.DisposeAsync();
        await Hub.DisposeAsync();
    }

    /// <summary>Ingest settings: one Propstreet connection (<c>main</c> unless named) polling contacts from the sandbox.</summary>
    protected Dictionary<string, string?> IngestSettings(int pageSize = 500, string schedule = "01:00:00", string connection = "main") => new()
    {
        ["Ingest:Leadership:RetryInterval"] = "00:00:00.500",
        ["Ingest:ErrorBackoff"] = "00:00:00.500",
        ["Ingest:Http:RetryDelay"] = "00:00:00.100",
        [$"Ingest:Connections:{connection}:Source"] = "propstreet",
        [$"Ingest:Connections:{connection}:BaseUrl"] = Sandbox.BaseUrl.ToString(),
        [$"Ingest:Connections:{connection}:Token"] = "hub-test-token",
        [$"Ingest:Connections:{connection}:PageSize"] = pageSize.ToString(CultureInfo.InvariantCulture),
        [$"Ingest:Connections:{connection}:Schedule"] = schedule,
        [$"Ingest:Connections:{connection}:LookBack"] = "00:00:00",
        [$"Ingest:Connections:{connection}:Resources:0"] = "contacts",
    };

    /// <summary>
    /// Starts an Ingest host in-process (schema, pollers) on the test's database and virtual host; with
    /// <paramref name="kestrelPort"/>, on Kestrel at that port, so its webhook receivers take real HTTP.
    /// </summary>
    protected void StartIngest(IDictionary<string, string?> settings, int? kestrelPort = null)
    {
        var host = new WebApplicationFactory<IngestProgram>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("ConnectionStrings:Postgres", Hub.Database.ConnectionString);
            builder.UseSetting("ConnectionStrings:RabbitMq", Hub.Broker.Amqp.ToString());
            foreach (var (key, value) in settings)
                builder.UseSetting(key, value);
        });
        _ingest.Add(host);
        if (kestrelPort is { } port)
        {
            host.UseKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, port));
            host.StartServer();
        }

        _ = host.Services;
    }

    /// <summary>Stops every Ingest host started so far: the sources go unobserved until one is started again.</summary>
    protected async Task StopIngestAsync()
    {
        foreach (var host in _ingest)
            await host.DisposeAsync();
        _ingest.Clear();
    }

    /// <summary>Observations waiting in <c>hub-observations</c> (what Ingest sent and nothing consumed yet).</summary>
    protected async Task<uint> QueuedObservationsAsync() => (await _channel!.QueueDeclarePassiveAsync(ObservationTransport.Queue)).MessageCount;

    /// <summary>The contact streams in the store, each with its record events in version order (not the hub's CRM push ledger).</summary>
    protected async Task<Dictionary<string, List<IEvent>>> ContactStreamsAsync() =>
        (await Hub.EventsAsync()).Where(s => s.Key.StartsWith("propstreet-contact-", StringComparison.Ordinal))
            .ToDictionary(s => s.Key, s => s.Where(e => e.Data is IRecordEvent).ToList());

    /// <summary>Waits (generously bounded) until the store holds <paramref name="streams"/> contact streams; the test asserts afterwards.</summary>
    protected Task WaitForStreamsAsync(int streams) =>
        ProjectionsHost.WaitUntilAsync(async () => (await ContactStreamsAsync()).Count >= streams);

    /// <summary>Reads the subscriber's queue until it received every event the store holds (or a generous bound passes).</summary>
    protected async Task ReceiveEverythingStoredAsync()
    {
        await ProjectionsHost.WaitUntilAsync(async () =>
        {
            while (await _channel!.BasicGetAsync(SubscriberQueue, autoAck: true) is { } message)
                _published.Add(JsonDocument.Parse(message.Body).RootElement.Clone());
            var stored = (await ContactStreamsAsync()).Sum(s => s.Value.Count);
            return _published.Select(p => p.GetProperty("id").GetString()).Distinct().Count() >= stored;
        });
    }

    /// <summary>
    /// What a subscriber relies on: every committed change published (by event id), and per record the changes in
    /// stream-version order with no gap.
    /// </summary>
    protected async Task AssertSubscriberReceivedEveryChangeInOrderAsync()
    {
        var streams = await ContactStreamsAsync();
        Assert.Equal(
            streams.Values.SelectMany(s => s).Select(e => e.Id.ToString()).Order(),
            Published.Select(p => p.GetProperty("id").GetString()!).Distinct().Order());
        foreach (var changes in Published.GroupBy(p => p.GetProperty("subject").GetString()!))
        {
            var versions = changes.Select(c => c.GetProperty("streamversion").GetInt64()).Distinct().ToList();
            Assert.Equal(Enumerable.Range(1, streams[changes.Key].Count).Select(v => (long)v), versions);
        }
    }

    /// <summary>
    /// Exactly one stream per contact, each begun by its one created event; a contact the source lists as deleted also
    /// has its tombstone, nothing else.
    /// </summary>
    protected async Task AssertOneStreamPerContactCreatedOnceAsync()
    {
        var streams = await ContactStreamsAsync();
        Assert.Equal(Contacts, streams.Count);
        Assert.All(streams.Values, events =>
        {
            Assert.Equal(ChangeEventTypes.Created, Change(events[0]));
            Assert.All(events.Skip(1), e => Assert.Equal(ChangeEventTypes.Deleted, Change(e)));
            Assert.InRange(events.Count, 1, 2);
        });
    }

    protected static string Change(IEvent e) => SourceRecord.ChangeOf(e.Data);
}
