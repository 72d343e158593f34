using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Hub.Ingest.Tests.Hosting;

namespace Hub.Ingest.Tests.Webhooks;

/// <summary>
/// The real sandbox signs and delivers over real HTTP to the Ingest host on Kestrel; what arrives on
/// <c>hub-observations</c> is what a source change became.
/// </summary>
public sealed class SandboxWebhookDeliveryTests
{
    private const string PropertyFinderSecret = "pf-secret-for-this-test";
    private static readonly string[] ContactEvents = ["contact.*"];

    private static SandboxHost StartSandbox() => SandboxHost.Start(new Dictionary<string, string?>
    {
        ["Sandbox:Sizes:Contacts"] = "20",
        ["Sandbox:Sizes:Companies"] = "5",
        ["Sandbox:Sizes:Projects"] = "1",
        ["Sandbox:Sizes:ProspectsPerProject"] = "1",
        ["Sandbox:Sizes:Leads"] = "3",
        ["Sandbox:PropertyFinder:WebhookSecret"] = PropertyFinderSecret,
    });

    // The sandbox must know the receiver's URL before Ingest can know the subscription's secret, so the port is
    // chosen first.
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A contact subscription on the sandbox pointing at an Ingest host started with its secret.</summary>
    private static async Task<(IngestWebhookHost Ingest, HostSettings Settings, string SubscriptionId)> SubscribeIngestAsync(HttpClient api)
    {
        var port = FreePort();
        var settings = new HostSettings();
        var receiver = new Uri($"http://127.0.0.1:{port}/webhooks/propstreet/{settings.PropstreetConnection}");
        using var subscribed = await api.PostAsJsonAsync("/api/v1/webhooks", new { url = receiver.ToString(), events = ContactEvents });
        Assert.Equal(HttpStatusCode.Created, subscribed.StatusCode);
        var subscription = await subscribed.Content.ReadFromJsonAsync<JsonElement>();
        settings = settings with { PropstreetSecret = subscription.GetProperty("secret").GetString()!, SourceBaseUrl = api.BaseAddress! };
        return (await IngestWebhookHost.StartAsync(settings, port), settings, subscription.GetProperty("id").GetString()!);
    }

    private static HttpClient PropstreetApi(SandboxHost sandbox)
    {
        var api = sandbox.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "ingest-webhook-test");
        return api;
    }

    /// <summary>Creates, updates and deletes one contact as a UI user; returns its id.</summary>
    private static async Task<string> CreateUpdateAndDeleteContactAsync(HttpClient api)
    {
        using var created = await api.PostAsJsonAsync("/_sandbox/propstreet/contacts", new { firstName = "Webhook", lastName = "Created", email = "webhook.created@example.com" });
        var contactId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        using var updated = await api.PatchAsJsonAsync($"/_sandbox/propstreet/contacts/{contactId}", new { lastName = "Updated" });
        using var deleted = await api.DeleteAsync(new Uri($"/_sandbox/propstreet/contacts/{contactId}", UriKind.Relative));
        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.NoContent], [created.StatusCode, updated.StatusCode, deleted.StatusCode]);
        return contactId;
    }

    [Fact]
    public async Task Contact_changes_in_the_sandbox_arrive_as_signed_webhooks_and_end_as_RecordsObserved()
    {
        await using var propstreet = StartSandbox();
        using var api = PropstreetApi(propstreet);
        var (ingest, settings, subscriptionId) = await SubscribeIngestAsync(api);
        await using var stopsIngest = ingest;

        var contactId = await CreateUpdateAndDeleteContactAsync(api);
        var observed = await ingest.Observations.TakeAsync(3);

        Assert.True(3 == observed.Count, await api.GetStringAsync(new Uri($"/api/v1/webhooks/{subscriptionId}/deliveries", UriKind.Relative)));
        Assert.Equal(3, observed.Select(o => o.ObservationId).Distinct().Count());
        Assert.All(observed, o =>
        {
            Assert.Equal(("propstreet", settings.PropstreetConnection, "contact", "webhook"), (o.Source, o.Connection, o.Resource, o.Channel));
            Assert.StartsWith($"webhook:{settings.PropstreetConnection}:msg_", o.ObservationId, StringComparison.Ordinal);
            var record = Assert.Single(o.Records);
            Assert.Equal(contactId, record.Id);
            Assert.NotNull(record.UpdatedUtc);
            Assert.NotNull(record.ETag);
        });
        var records = observed.Select(o => o.Records[0]).OrderBy(r => r.UpdatedUtc).ToList();
        Assert.Equal(3, records.Select(r => r.ETag).Distinct().Count());
        Assert.Equal([null, null], records.Take(2).Select(r => r.DeletedUtc));
        Assert.NotNull(records[2].DeletedUtc);
        Assert.Equal("Updated", records[1].Data.GetProperty("lastName").GetString());
    }

    [Fact]
    public async Task Every_sandbox_delivery_sent_twice_and_out_of_order_ends_as_one_observation()
    {
        await using var propstreet = StartSandbox();
        using var api = PropstreetApi(propstreet);
        var (ingest, _, subscriptionId) = await SubscribeIngestAsync(api);
        await using var stopsIngest = ingest;
        using var faults = await api.PutAsJsonAsync("/_sandbox/faults", new { webhookDuplicateShare = 1.0, webhookOutOfOrder = true });
        Assert.Equal(HttpStatusCode.OK, faults.StatusCode);

        await CreateUpdateAndDeleteContactAsync(api);
        var observed = await ingest.Observations.TakeAsync(3);
        await AllSentTwiceAsync(api, subscriptionId, 3);

        Assert.Equal(3, observed.Select(o => o.ObservationId).Distinct().Count());
        Assert.Empty(await ingest.Observations.TakeAllAsync());
    }

    /// <summary>Reads the sandbox's history until every delivery was answered 2xx twice (the duplicate too); polling a state, not timing it.</summary>
    private static async Task AllSentTwiceAsync(HttpClient api, string subscriptionId, int deliveries)
    {
        for (var i = 0; i < 600; i++)
        {
            var history = await api.GetFromJsonAsync<JsonElement>($"/api/v1/webhooks/{subscriptionId}/deliveries");
            var answered = history.GetProperty("data").EnumerateArray()
                .Select(d => d.GetProperty("attempts").EnumerateArray().Count(a => a.GetProperty("statusCode").ValueKind == JsonValueKind.Number && a.GetProperty("statusCode").GetInt32() is >= 200 and < 300))
                .ToList();
            if (answered.Count == deliveries && answered.All(n => n >= 2))
                return;
            await Task.Delay(50);
        }

        Assert.Fail("The sandbox did not finish sending every delivery twice.");
    }

    [Fact]
    public async Task A_lead_created_in_the_Property_Finder_sandbox_ends_as_a_lead_observation()
    {
        await using var propertyFinder = StartSandbox();
        using var control = propertyFinder.CreateClient();
        var settings = new HostSettings { PropertyFinderSecret = PropertyFinderSecret, SourceBaseUrl = control.BaseAddress! };
        await using var ingest = await IngestWebhookHost.StartAsync(settings, FreePort());
        using var pointed = await control.PutAsJsonAsync("/_sandbox/propertyfinder/webhooks",
            new { urls = new[] { ingest.ReceiverUrl("propertyfinder", settings.PropertyFinderConnection) } });
        Assert.Equal(HttpStatusCode.OK, pointed.StatusCode);

        using var created = await control.PostAsJsonAsync("/_sandbox/propertyfinder/leads", new { channel = "whatsapp" });
        var leadId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        var observed = Assert.Single(await ingest.Observations.TakeAsync(1));
        Assert.Equal(("propertyfinder", "lead"), (observed.Source, observed.Resource));
        var lead = Assert.Single(observed.Records);
        Assert.Equal(leadId, lead.Id);
        Assert.Equal("whatsapp", lead.Data.GetProperty("channel").GetString());
    }
}
