extern alias sandbox;

using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Hub.Ingest.Tests.Hosting;
using SignatureV3 = sandbox::Hub.Sandbox.HubSpot.Webhooks.SignatureV3;

namespace Hub.Ingest.Tests.Webhooks;

/// <summary>
/// The HubSpot sandbox and an <see cref="IngestWebhookHost"/> on Kestrel with one two-way HubSpot connection to it
/// (a name unique to this host), the sandbox's webhooks pointed at the host's receiver for every contact event and
/// the association changes of deals and contacts.
/// Deliveries made by a test are signed with the sandbox's own signer.
/// </summary>
public sealed class HubSpotWebhookHost : IAsyncDisposable
{
    /// <summary>The sandbox's default app secret (<c>Sandbox:HubSpot:AppSecret</c>).</summary>
    public const string AppSecret = "sandbox-hubspot-app-secret";

    private const string AccessToken = "sandbox-hubspot-token";

    private static readonly string[] Subscriptions =
        ["contact.creation", "contact.propertyChange", "contact.deletion", "contact.privacyDeletion", "contact.merge", "deal.associationChange", "contact.associationChange"];

    private HubSpotWebhookHost(SandboxHost sandbox, IngestWebhookHost ingest, string connection)
    {
        Sandbox = sandbox;
        Ingest = ingest;
        Connection = connection;
    }

    public SandboxHost Sandbox { get; }

    public IngestWebhookHost Ingest { get; }

    public SentObservations Observations => Ingest.Observations;

    public string Connection { get; }

    public CapturedLogs Logs => Ingest.Logs;

    /// <summary>A client of the Ingest host, on its real socket.</summary>
    public HttpClient Client => Ingest.Client;

    public Uri ReceiverUrl => Ingest.ReceiverUrl("hubspot", Connection);

    /// <summary>A second two-way connection, configured as if behind a proxy: HubSpot calls <see cref="PublicUrl"/>.</summary>
    public string ProxiedConnection => Connection + "-proxied";

    /// <summary>The receiver's URL as configured in the HubSpot app (<c>WebhookUrl</c>) for <see cref="ProxiedConnection"/>.</summary>
    public Uri PublicUrl => new($"https://hub.example.com/inbound/hubspot/{ProxiedConnection}");

    /// <param name="subscribe">Point the sandbox's webhooks at the receiver; false = only the test's own deliveries arrive.</param>
    public static async Task<HubSpotWebhookHost> StartAsync(bool subscribe = true)
    {
        var sandbox = SandboxHost.Start(new Dictionary<string, string?>
        {
            ["Sandbox:Sizes:Contacts"] = "5",
            ["Sandbox:Sizes:Companies"] = "2",
            ["Sandbox:Sizes:Projects"] = "1",
            ["Sandbox:Sizes:ProspectsPerProject"] = "1",
            ["Sandbox:Sizes:Leads"] = "3",
        });
        var connection = $"hs-{Guid.NewGuid().ToString("N")[..8]}";
        var settings = new HostSettings
        {
            More = new Dictionary<string, string?>
            {
                [$"HubSpot:Connections:{connection}:BaseUrl"] = sandbox.BaseUrl.ToString(),
                [$"HubSpot:Connections:{connection}:AccessToken"] = AccessToken,
                [$"HubSpot:Connections:{connection}:AppSecret"] = AppSecret,
                [$"HubSpot:Connections:{connection}:TwoWay"] = "true",
                [$"HubSpot:Connections:{connection}:MaxAttempts"] = "2",
                [$"HubSpot:Connections:{connection}:RetryBaseDelaySeconds"] = "0.05",
                [$"HubSpot:Connections:{connection}-proxied:BaseUrl"] = sandbox.BaseUrl.ToString(),
                [$"HubSpot:Connections:{connection}-proxied:AccessToken"] = AccessToken,
                [$"HubSpot:Connections:{connection}-proxied:AppSecret"] = AppSecret,
                [$"HubSpot:Connections:{connection}-proxied:TwoWay"] = "true",
                [$"HubSpot:Connections:{connection}-proxied:WebhookUrl"] = $"https://hub.example.com/inbound/hubspot/{connection}-proxied",
                // HubSpot's 100 events per request fit HubSpot's budget, not the small one of the other receivers' tests.
                ["Ingest:Webhooks:MaxBodyBytes"] = "262144",
            },
        };
        var host = new HubSpotWebhookHost(sandbox, await IngestWebhookHost.StartAsync(settings, FreePort()), connection);
        if (!subscribe)
            return host;
        using var subscribed = await sandbox.Control.PutAsJsonAsync(new Uri("/_sandbox/hubspot/webhooks", UriKind.Relative),
            new { targetUrl = host.ReceiverUrl, subscriptions = Subscriptions.Select(t => new { subscriptionType = t }) });
        subscribed.EnsureSuccessStatusCode();
        return host;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A contact created in the CRM as a user would; returns its id.</summary>
    public async Task<string> CreateContactAsync(object properties)
    {
        using var created = await Sandbox.Control.PostAsJsonAsync(new Uri("/_sandbox/hubspot/objects/contacts", UriKind.Relative), new { properties });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    /// <summary>A user's edit in the CRM.</summary>
    public async Task EditContactAsync(string id, object properties)
    {
        using var edited = await Sandbox.Control.PatchAsJsonAsync(new Uri($"/_sandbox/hubspot/objects/contacts/{id}", UriKind.Relative), new { properties });
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
    }

    /// <summary>The contact as the sandbox holds it (live or archived).</summary>
    public async Task<JsonElement> ContactAsync(string id) =>
        await Sandbox.Control.GetFromJsonAsync<JsonElement>(new Uri($"/_sandbox/hubspot/objects/contacts/{id}", UriKind.Relative));

    /// <summary>
    /// A delivery as HubSpot makes it, to <paramref name="to"/> (the receiver by default) signed for
    /// <paramref name="signedFor"/> (the URL it is sent to by default); the timestamp and signature can be forged.
    /// </summary>
    public HttpRequestMessage Delivery(string body, DateTimeOffset? sentAt = null, string? signature = null, Uri? to = null, Uri? signedFor = null)
    {
        to ??= ReceiverUrl;
        var timestamp = (sentAt ?? DateTimeOffset.UtcNow).ToUnixTimeMilliseconds();
        var request = new HttpRequestMessage(HttpMethod.Post, to) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-HubSpot-Signature-v3", signature ?? SignatureV3.Sign(AppSecret, "POST", signedFor ?? to, Encoding.UTF8.GetBytes(body), timestamp));
        request.Headers.Add("X-HubSpot-Request-Timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("X-HubSpot-Signature-Version", "v3");
        return request;
    }

    /// <summary>One HubSpot event as the sandbox sends it.</summary>
    public static Dictionary<string, object> Event(long eventId, string subscriptionType, string objectId, int attemptNumber = 0, DateTimeOffset? occurredAt = null) => new()
    {
        ["eventId"] = eventId,
        ["subscriptionId"] = 4_000_001,
        ["portalId"] = 62515,
        ["appId"] = 1_000_001,
        ["occurredAt"] = (occurredAt ?? DateTimeOffset.UtcNow).ToUnixTimeMilliseconds(),
        ["subscriptionType"] = subscriptionType,
        ["attemptNumber"] = attemptNumber,
        ["objectId"] = long.Parse(objectId, CultureInfo.InvariantCulture),
        ["changeSource"] = "CRM_UI",
    };

    /// <summary>An operator's request to <c>/admin/webhooks/*</c>.</summary>
    public HttpRequestMessage Operator(HttpMethod method, string path) => Ingest.Operator(method, path);

    public async Task<long> ScalarAsync(string sql)
    {
        await using var dataSource = Ingest.CreateDataSource();
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new() { Value = Connection });
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>Events of this host's connection in the inbox.</summary>
    public Task<long> InboxCountAsync() => ScalarAsync("SELECT count(*) FROM hub_ingest.hubspot_webhook_events WHERE connection = $1");

    /// <summary>Deliveries of this host's connection parked.</summary>
    public Task<long> ParkedCountAsync() => ScalarAsync("SELECT count(*) FROM hub_ingest.webhook_parked WHERE connection = $1");

    /// <summary>Waits until a webhook observation of this connection holds a contact record matching <paramref name="match"/>, and returns it.</summary>
    public async Task<SentRecord> ObservedContactAsync(Func<SentRecord, bool> match)
    {
        SentRecord? found = null;
        await Observations.WaitUntilAsync(o =>
        {
            found = o.Received.Where(x => x.Channel == "webhook" && x.Resource == "contact").SelectMany(x => x.Records).FirstOrDefault(match);
            return found is not null;
        });
        return found!;
    }

    public async ValueTask DisposeAsync()
    {
        await Ingest.DisposeAsync();
        await Sandbox.DisposeAsync();
    }
}

/// <summary>One host per test class (xunit class fixture), the sandbox's webhooks pointed at it.</summary>
public class HubSpotWebhookHostFixture : IAsyncLifetime
{
    private readonly bool _subscribe;

    public HubSpotWebhookHostFixture()
        : this(subscribe: true)
    {
    }

    protected HubSpotWebhookHostFixture(bool subscribe) => _subscribe = subscribe;

    public HubSpotWebhookHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await HubSpotWebhookHost.StartAsync(_subscribe);

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>A host only the test's own deliveries reach.</summary>
public sealed class UnsubscribedHubSpotWebhookHostFixture() : HubSpotWebhookHostFixture(subscribe: false);
