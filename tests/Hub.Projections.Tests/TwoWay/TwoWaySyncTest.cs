using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Hub.Projections.HubSpot;
using Hub.Projections.Tests.HubSpot;
using Hub.Sync.HubSpot;
using Hub.Sync.Records;
using Marten;

namespace Hub.Projections.Tests.TwoWay;

/// <summary>
/// Two-way sync end to end: Ingest polls Propstreet and watches the HubSpot sandbox (search polling every second),
/// Projections pushes to HubSpot and settles HubSpot's changes against Propstreet, writing back through the
/// Propstreet sandbox's API with the same token Ingest reads with.
/// </summary>
public abstract class TwoWaySyncTest : HubSpotSyncTest
{
    private const string Token = "hub-test-token";

    protected override int Contacts => 24;

    protected override Dictionary<string, string?> SandboxSettings() => new(base.SandboxSettings())
    {
        ["Sandbox:Sizes:Companies"] = "6",
        ["Sandbox:Sizes:Projects"] = "2",
        ["Sandbox:Sizes:ProspectsPerProject"] = "2",
        ["Sandbox:Sizes:Leads"] = "4",
    };

    /// <summary>The HubSpot connection both ways, with its Propstreet writer, for Projections and Ingest alike.</summary>
    protected Dictionary<string, string?> TwoWaySettings() => new(HubSpotSettings())
    {
        [$"HubSpot:Connections:{Connection}:TwoWay"] = "true",
        [$"HubSpot:Connections:{Connection}:InboundPollInterval"] = "00:00:01",
        [$"HubSpot:Connections:{Connection}:InboundLookBack"] = "00:00:02",
        // Label changes leave a deal as it is, so without webhooks the sweep is what sees them.
        [$"HubSpot:Connections:{Connection}:InboundAssociationSweep"] = "00:00:02",
        ["Propstreet:Connections:main:BaseUrl"] = Sandbox.BaseUrl.ToString(),
        ["Propstreet:Connections:main:Token"] = Token,
        ["Propstreet:Connections:main:RetryBaseDelaySeconds"] = "0.2",
    };

    protected void StartTwoWayIngest()
    {
        var ingest = AllSourcesIngestSettings(schedule: "00:00:01");
        foreach (var (key, value) in TwoWaySettings())
            ingest[key] = value;
        StartIngest(ingest);
    }

    /// <summary>The sandbox's HubSpot app secret, which signs its webhook deliveries (signature v3).</summary>
    protected const string AppSecret = "sandbox-hubspot-app-secret";

    /// <summary>
    /// Ingest both ways on Kestrel, with its HubSpot webhook receiver, and the sandbox's HubSpot app delivering the
    /// <paramref name="subscriptions"/> to it. Returns the receiver's URL.
    /// </summary>
    protected async Task<Uri> StartTwoWayIngestWithWebhooksAsync(params string[] subscriptions)
    {
        var port = FreePort();
        var receiver = new Uri($"http://127.0.0.1:{port}/webhooks/hubspot/{Connection}");
        var ingest = AllSourcesIngestSettings(schedule: "00:00:01");
        foreach (var (key, value) in TwoWaySettings())
            ingest[key] = value;
        ingest[$"HubSpot:Connections:{Connection}:AppSecret"] = AppSecret;
        StartIngest(ingest, kestrelPort: port);
        using var subscribed = await Sandbox.Control.PutAsJsonAsync(new Uri("/_sandbox/hubspot/webhooks", UriKind.Relative),
            new { targetUrl = receiver, subscriptions = subscriptions.Select(s => new { subscriptionType = s }) });
        subscribed.EnsureSuccessStatusCode();
        return receiver;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Both hosts both ways; returns once the initial push has settled and HubSpot's contacts are all observed back.</summary>
    protected async Task SyncBothWaysAsync()
    {
        Hub.StartHost(settings: TwoWaySettings());
        StartTwoWayIngest();
        await WaitUntilPushSettledAsync(atLeastRecords: Contacts);
        await WaitUntilSettledAsync();
    }

    /// <summary>
    /// Until every pushed contact's HubSpot record is observed back, nothing is pending on the connection, and the
    /// stores have been quiet (no new event) for 3 seconds.
    /// </summary>
    protected async Task WaitUntilSettledAsync(Func<Task<bool>>? also = null)
    {
        (long Sequence, DateTime Since) last = (-1, DateTime.MaxValue);
        await ProjectionsHost.WaitUntilAsync(async () =>
        {
            var records = await Hub.RecordsAsync();
            var model = await ReadModelAsync();
            var pushed = model.Where(r => r.Id.StartsWith("propstreet-contact-", StringComparison.Ordinal) && r.On(Connection)?.HubSpotId is { Length: > 0 })
                .Select(r => r.On(Connection)!.HubSpotId!).ToHashSet(StringComparer.Ordinal);
            var observed = records.Where(r => r.Source == "hubspot").Select(r => r.RecordId).ToHashSet(StringComparer.Ordinal);
            var sequence = (await Hub.Store.Advanced.FetchEventStoreStatistics()).EventSequenceNumber;
            var settled = pushed.IsSubsetOf(observed) && model.All(r => !r.PendingOn(Connection)) && (also is null || await also());
            if (!settled || sequence != last.Sequence)
                last = settled ? (sequence, DateTime.UtcNow) : (-1, DateTime.MaxValue);
            return settled && DateTime.UtcNow - last.Since > TimeSpan.FromSeconds(3);
        }, seconds: 120);
    }

    protected async Task<HubSpotRecord> ContactAsync(int index = 0) =>
        (await ReadModelAsync()).Where(r => r.Id.StartsWith("propstreet-contact-", StringComparison.Ordinal) && r.Target is { Archived: false }
                && r.On(Connection)?.HubSpotId is { Length: > 0 })
            .OrderBy(r => r.Id, StringComparer.Ordinal).ElementAt(index);

    protected async Task<HubSpotRecord> ModelAsync(string streamKey) => (await ReadModelAsync()).Single(r => r.Id == streamKey);

    /// <summary>A user edits the contact (or another object) in HubSpot (the CRM's UI, change source CRM_UI).</summary>
    protected async Task EditInHubSpotAsync(string hubSpotId, object properties, string objectType = "contacts")
    {
        using var response = await Sandbox.Control.PatchAsJsonAsync(new Uri($"/_sandbox/hubspot/objects/{objectType}/{hubSpotId}", UriKind.Relative), new { properties });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>A user edits the contact in Propstreet (its UI).</summary>
    protected Task EditInPropstreetAsync(string propstreetId, object changes) => EditInPropstreetAtAsync($"contacts/{propstreetId}", changes);

    /// <summary>A user edits a Propstreet record in its UI: <paramref name="path"/> as <c>projects/7</c>.</summary>
    protected async Task EditInPropstreetAtAsync(string path, object changes)
    {
        using var response = await Sandbox.Control.PatchAsJsonAsync(new Uri($"/_sandbox/propstreet/{path}", UriKind.Relative), changes);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The contact as Propstreet holds it now, through its API.</summary>
    protected Task<JsonElement> PropstreetContactAsync(string propstreetId) => PropstreetAsync($"network/contacts/{propstreetId}");

    /// <summary>A Propstreet record as its API answers it now, deleted ones too: <paramref name="path"/> as <c>projects/7</c>.</summary>
    protected async Task<JsonElement> PropstreetAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/api/v1/{path}?include_deleted=true", UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using var response = await Sandbox.Control.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>The contact as HubSpot holds it now (the control surface reads archived ones too).</summary>
    protected Task<JsonElement> HubSpotContactAsync(string hubSpotId) => HubSpotObjectAsync("contacts", hubSpotId);

    /// <summary>An object as HubSpot holds it now (the control surface reads archived ones too).</summary>
    protected async Task<JsonElement> HubSpotObjectAsync(string objectType, string hubSpotId) =>
        (await Sandbox.Control.GetFromJsonAsync<JsonElement>(new Uri($"/_sandbox/hubspot/objects/{objectType}/{hubSpotId}", UriKind.Relative))).GetProperty("properties");

    protected static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";

    /// <summary>Record inputs of the hub's write calls to HubSpot, every object type (the sandbox counts them, no-ops too).</summary>
    protected async Task<long> HubSpotWritesAsync() =>
        (await Sandbox.HubSpotStatsAsync()).GetProperty("objects").EnumerateObject().Sum(t => t.Value.GetProperty("writeInputs").GetInt64());

    /// <summary>The events of a record's stream, oldest first.</summary>
    protected async Task<IReadOnlyList<JasperFx.Events.IEvent>> StreamAsync(string streamKey)
    {
        await using var session = Hub.Store.QuerySession();
        return await session.Events.FetchStreamAsync(streamKey);
    }

    protected async Task AssertParityAsync()
    {
        var parity = await ParityAsync();
        Assert.True(parity.Mismatches.Count == 0, HubSpotParityCommand.Format(parity));
    }

    protected static string HubSpotKey(string hubSpotId) => SourceRecord.StreamKey("hubspot", "contact", hubSpotId);
}
