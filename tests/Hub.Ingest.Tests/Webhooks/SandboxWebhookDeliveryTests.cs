extern alias sandbox;

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Hub.Ingest.Tests.Webhooks;

/// <summary>
/// The real sandbox signs and delivers over real HTTP to the Ingest host on Kestrel; what arrives on
/// <c>hub-observations</c> is what a source change became.
/// </summary>
public sealed class SandboxWebhookDeliveryTests
{
    private const string PropertyFinderSecret = "pf-secret-for-this-test";
    private static readonly string[] ContactEvents = ["contact.*"];

    private static WebApplicationFactory<sandbox::Program> StartSandbox()
    {
        var factory = new WebApplicationFactory<sandbox::Program>().WithWebHostBuilder(host =>
        {
            host.UseSetting("Sandbox:AdminEnabled", "true");
            host.UseSetting("Sandbox:Seed", "42");
            host.UseSetting("Sandbox:Sizes:Contacts", "20");
            host.UseSetting("Sandbox:Sizes:Companies", "5");
            host.UseSetting("Sandbox:Sizes:Projects", "1");
            host.UseSetting("Sandbox:Sizes:ProspectsPerProject", "1");
            host.UseSetting("Sandbox:Sizes:Leads", "3");
            host.UseSetting("Sandbox:PropertyFinder:WebhookSecret", PropertyFinderSecret);
        });
        factory.UseKestrel(0);
        factory.StartServer();
        return factory;
    }

    // The sandbox must know the receiver's URL before Ingest can know the subscription's secret, so the port is
    // chosen first.
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task Contact_changes_in_the_sandbox_arrive_as_signed_webhooks_and_end_as_RecordsObserved()
    {
        await using var propstreet = StartSandbox();
        using var api = propstreet.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "ingest-webhook-test");
        var port = FreePort();
        var settings = new HostSettings();
        var receiver = new Uri($"http://127.0.0.1:{port}/webhooks/propstreet/{settings.PropstreetConnection}");
        using var subscribed = await api.PostAsJsonAsync("/api/v1/webhooks", new { url = receiver.ToString(), events = ContactEvents });
        Assert.Equal(HttpStatusCode.Created, subscribed.StatusCode);
        var subscription = await subscribed.Content.ReadFromJsonAsync<JsonElement>();
        var secret = subscription.GetProperty("secret").GetString()!;
        await using var ingest = await IngestWebhookHost.StartAsync(settings with { PropstreetSecret = secret, SourceBaseUrl = api.BaseAddress! }, port);

        using var created = await api.PostAsJsonAsync("/_sandbox/propstreet/contacts", new { firstName = "Webhook", lastName = "Created", email = "webhook.created@example.com" });
        var contactId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        using var updated = await api.PatchAsJsonAsync($"/_sandbox/propstreet/contacts/{contactId}", new { lastName = "Updated" });
        using var deleted = await api.DeleteAsync(new Uri($"/_sandbox/propstreet/contacts/{contactId}", UriKind.Relative));
        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.NoContent], [created.StatusCode, updated.StatusCode, deleted.StatusCode]);

        var observed = await ingest.Observations.TakeAsync(3);

        var subscriptionId = subscription.GetProperty("id").GetString();
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
