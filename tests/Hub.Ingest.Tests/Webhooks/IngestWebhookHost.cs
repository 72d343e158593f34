extern alias sandbox;

using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Hub.Ingest.Tests.Hosting;
using Hub.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Serilog.Core;
using Signer = sandbox::Hub.Sandbox.Webhooks.StandardWebhookSigner;

namespace Hub.Ingest.Tests.Webhooks;

/// <summary>
/// The Ingest host in-process on a database and a virtual host of its own, with one Propstreet and one Property
/// Finder connection (names unique to this host, so metrics from parallel classes never mix), and a reader of the
/// <c>hub-observations</c> queue the receivers send to. Signs deliveries with the sandbox's signer, the scheme the
/// real senders use.
/// </summary>
public sealed class IngestWebhookHost : IAsyncDisposable
{
    public const string MaxBodyBytes = "4096";

    private readonly PostgresDatabase _database;
    private readonly RabbitMqVirtualHost _broker;
    private readonly WebApplicationFactory<Program> _factory;

    private IngestWebhookHost(PostgresDatabase database, RabbitMqVirtualHost broker, WebApplicationFactory<Program> factory, SentObservations observations, HostSettings settings, CapturedLogs logs)
    {
        Logs = logs;
        _database = database;
        _broker = broker;
        _factory = factory;
        Observations = observations;
        Settings = settings;
        Client = factory.CreateClient();
    }

    public HostSettings Settings { get; }

    public CapturedLogs Logs { get; }

    public string Propstreet => Settings.PropstreetConnection;

    public string PropertyFinder => Settings.PropertyFinderConnection;

    public HttpClient Client { get; }

    public SentObservations Observations { get; }

    public string PostgresConnectionString => _database.ConnectionString;

    /// <param name="kestrelPort">Listen on a real socket at 127.0.0.1:port (for the sandbox to deliver to); null = in-memory TestServer.</param>
    public static async Task<IngestWebhookHost> StartAsync(HostSettings? settings = null, int? kestrelPort = null)
    {
        settings ??= new HostSettings();
        var database = await PostgresDatabase.CreateAsync("webhooks");
        var broker = await RabbitMqVirtualHost.CreateAsync("webhooks");
        var observations = new SentObservations(broker.Amqp);
        var logs = new CapturedLogs();
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
        {
            host.UseSetting("ConnectionStrings:Postgres", database.ConnectionString);
            host.UseSetting("ConnectionStrings:RabbitMq", broker.Amqp.ToString());
            foreach (var (key, value) in settings.Configuration())
                host.UseSetting(key, value);
            host.ConfigureServices(services => services.AddSingleton<ILogEventSink>(logs));
        });
        if (kestrelPort is { } port)
        {
            factory.UseKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, port));
            factory.StartServer();
        }

        return new IngestWebhookHost(database, broker, factory, observations, settings, logs);
    }

    public Uri ReceiverUrl(string source, string connection) => new(Client.BaseAddress!, $"/webhooks/{source}/{connection}");

    /// <summary>A delivery as a Standard Webhooks sender makes it; <paramref name="signature"/> replaces the computed header.</summary>
    public static HttpRequestMessage Delivery(
        string path, string body, string secret, string? webhookId = null, DateTimeOffset? sentAt = null, string? signature = null)
    {
        webhookId ??= $"msg_{Guid.NewGuid():N}";
        var timestamp = (sentAt ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("webhook-id", webhookId);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", signature ?? Signer.Sign(secret, webhookId, timestamp, body));
        return request;
    }

    public static string Sign(string secret, string webhookId, DateTimeOffset sentAt, string body) =>
        Signer.Sign(secret, webhookId, sentAt.ToUnixTimeSeconds(), body);

    public HttpRequestMessage Operator(HttpMethod method, string path, string? token = "use-configured")
    {
        var request = new HttpRequestMessage(method, path);
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token == "use-configured" ? Settings.OperatorToken : token);
        return request;
    }

    public NpgsqlDataSource CreateDataSource() => _database.CreateDataSource();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _factory.DisposeAsync();
        await Observations.DisposeAsync();
        await _broker.DisposeAsync();
        await _database.DisposeAsync();
    }
}

/// <summary>The connections and secrets a test host is configured with; every name and secret is fresh.</summary>
public sealed record HostSettings
{
    public string PropstreetConnection { get; init; } = $"ps-{Guid.NewGuid().ToString("N")[..8]}";

    public string PropstreetSecret { get; init; } = NewSecret();

    /// <summary>The second accepted Propstreet secret (a rotation under way).</summary>
    public string PropstreetRotatedSecret { get; init; } = NewSecret();

    public string PropertyFinderConnection { get; init; } = $"pf-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Property Finder's secret is a plain string, keyed with its UTF-8 bytes.</summary>
    public string PropertyFinderSecret { get; init; } = $"pf-secret-{Guid.NewGuid():N}";

    /// <summary>
    /// Where the connections' pollers read (a sandbox), with credentials; null (the default) = webhook-only
    /// connections (<c>Poll=false</c>), so only the receivers send.
    /// </summary>
    public Uri? SourceBaseUrl { get; init; }

    /// <summary><c>RabbitMq:QuorumQueues</c>: hub-observations is a quorum queue.</summary>
    public bool QuorumQueues { get; init; }

    public string OperatorToken { get; init; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    /// <summary>More settings, applied last (so they win): e.g. a HubSpot connection.</summary>
    public IReadOnlyDictionary<string, string?> More { get; init; } = new Dictionary<string, string?>();

    public static string NewSecret() => Signer.NewSecret();

    public IEnumerable<KeyValuePair<string, string?>> Configuration()
    {
        KeyValuePair<string, string?>[] webhooks =
        [
            new($"Ingest:Connections:{PropstreetConnection}:Source", "propstreet"),
            new($"Ingest:Connections:{PropstreetConnection}:WebhookSecret", PropstreetSecret),
            new($"Ingest:Connections:{PropstreetConnection}:WebhookSecrets:0", PropstreetRotatedSecret),
            new($"Ingest:Connections:{PropertyFinderConnection}:Source", "propertyfinder"),
            new($"Ingest:Connections:{PropertyFinderConnection}:WebhookSecret", PropertyFinderSecret),
            new("Ingest:OperatorToken", OperatorToken),
            new("Ingest:Webhooks:MaxBodyBytes", IngestWebhookHost.MaxBodyBytes),
            new("RabbitMq:QuorumQueues", QuorumQueues ? "true" : "false"),
        ];
        if (SourceBaseUrl is null)
            return [.. webhooks, new($"Ingest:Connections:{PropstreetConnection}:Poll", "false"), new($"Ingest:Connections:{PropertyFinderConnection}:Poll", "false"), .. More];
        return
        [
            .. webhooks,
            new($"Ingest:Connections:{PropstreetConnection}:BaseUrl", SourceBaseUrl.ToString()),
            new($"Ingest:Connections:{PropstreetConnection}:Token", "ingest-webhook-test"),
            new($"Ingest:Connections:{PropertyFinderConnection}:BaseUrl", SourceBaseUrl.ToString()),
            new($"Ingest:Connections:{PropertyFinderConnection}:ClientId", "ingest-webhook-test"),
            new($"Ingest:Connections:{PropertyFinderConnection}:ClientSecret", "ingest-webhook-test"),
            .. More,
        ];
    }
}

/// <summary>One host per test class (xunit class fixture).</summary>
public sealed class IngestWebhookHostFixture : IAsyncLifetime
{
    public IngestWebhookHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await IngestWebhookHost.StartAsync();

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
