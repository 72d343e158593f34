using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hub.Sandbox.PropertyFinder;
using Hub.Sandbox.Tests.Hosting;
using Hub.Sandbox.Webhooks;

namespace Hub.Sandbox.Tests.PropertyFinder;

/// <summary>Lead-created webhooks, delivered over real sockets to a local receiver.</summary>
public sealed class LeadWebhookTests
{
    private const string Secret = "test-webhook-secret";
    private static readonly Uri AdminLeads = new("/_sandbox/propertyfinder/leads", UriKind.Relative);

    [Fact]
    public async Task Creating_a_lead_posts_a_signed_webhook_with_the_lead()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sandbox = Sandbox(receiver);
        var client = sandbox.CreateClient();

        var lead = await CreateLeadAsync(client, new { channel = "whatsapp", name = "Fatima Al Nuaimi", phone = "+971 50 123 4567" });
        var webhook = await receiver.NextAsync();

        Assert.Equal(StandardWebhookSigner.Sign(Secret, webhook.Id, long.Parse(webhook.Timestamp, CultureInfo.InvariantCulture), webhook.Body), webhook.Signature);
        Assert.NotEqual(StandardWebhookSigner.Sign("another-secret", webhook.Id, long.Parse(webhook.Timestamp, CultureInfo.InvariantCulture), webhook.Body), webhook.Signature);
        var payload = JsonNode.Parse(webhook.Body)!;
        Assert.Equal("lead.created", payload["event"]!.GetValue<string>());
        var delivered = Assert.Single(payload["data"]!.AsArray())!;
        Assert.Equal(lead, delivered["id"]!.GetValue<string>());
        Assert.Equal("+971 50 123 4567", delivered["phone"]!.GetValue<string>());
        Assert.Equal("whatsapp", delivered["channel"]!.GetValue<string>());
    }

    [Fact]
    public async Task Webhook_answered_with_500_is_retried_with_the_same_id()
    {
        await using var receiver = await WebhookReceiver.StartAsync(call => call == 1 ? 500 : 200);
        await using var sandbox = Sandbox(receiver);
        var client = sandbox.CreateClient();

        await CreateLeadAsync(client, new { });
        var failed = await receiver.NextAsync();
        var retried = await receiver.NextAsync();

        Assert.Equal(failed.Id, retried.Id);
        Assert.Equal(failed.Body, retried.Body);
        Assert.Equal(("1", "2"), (failed.Attempt, retried.Attempt));
        Assert.Equal(StandardWebhookSigner.Sign(Secret, retried.Id, long.Parse(retried.Timestamp, CultureInfo.InvariantCulture), retried.Body), retried.Signature);
    }

    [Fact]
    public async Task Duplicate_fault_delivers_the_same_webhook_twice()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sandbox = Sandbox(receiver);
        var client = sandbox.CreateClient();
        await SandboxFactory.SetFaultsAsync(client, new { webhookDuplicateShare = 1.0 });

        await CreateLeadAsync(client, new { });
        var first = await receiver.NextAsync();
        var second = await receiver.NextAsync();

        Assert.Equal(first.Id, second.Id);
        Assert.Equal(first.Body, second.Body);
    }

    [Fact]
    public async Task Out_of_order_fault_delivers_held_webhooks_shuffled()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sandbox = Sandbox(receiver, new Dictionary<string, string?>
        {
            ["Sandbox:PropertyFinder:OutOfOrderBatchSize"] = "4",
            // Long enough that the batch, not the hold-back timer, releases them.
            ["Sandbox:PropertyFinder:OutOfOrderHoldBack"] = "00:01:00",
        });
        var client = sandbox.CreateClient();
        await SandboxFactory.SetFaultsAsync(client, new { webhookOutOfOrder = true });

        var created = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            created.Add(await CreateLeadAsync(client, new { }));
        }

        var received = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var webhook = await receiver.NextAsync();
            received.Add(JsonNode.Parse(webhook.Body)!["data"]![0]!["id"]!.GetValue<string>());
        }

        Assert.Equal(created.Order(), received.Order());
        Assert.NotEqual(created, received);
    }

    [Fact]
    public async Task Webhook_urls_can_be_set_through_the_admin_surface()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sandbox = new SandboxFactory(new Dictionary<string, string?> { ["Sandbox:PropertyFinder:WebhookSecret"] = Secret });
        var client = sandbox.CreateClient();

        using var put = await client.PutAsJsonAsync(new Uri("/_sandbox/propertyfinder/webhooks", UriKind.Relative), new { urls = new[] { receiver.Url } });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var lead = await CreateLeadAsync(client, new { });
        var webhook = await receiver.NextAsync();

        Assert.Equal(lead, JsonNode.Parse(webhook.Body)!["data"]![0]!["id"]!.GetValue<string>());
    }

    private static SandboxFactory Sandbox(WebhookReceiver receiver, Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Sandbox:PropertyFinder:WebhookUrls:0"] = receiver.Url.ToString(),
            ["Sandbox:PropertyFinder:WebhookSecret"] = Secret,
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return new SandboxFactory(settings);
    }

    private static async Task<string> CreateLeadAsync(HttpClient client, object draft)
    {
        using var response = await client.PostAsJsonAsync(AdminLeads, draft);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
    }
}
