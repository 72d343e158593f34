using System.Net;
using System.Text.Json.Nodes;
using Hub.Sandbox.Faults;
using Hub.Sandbox.Tests.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Hub.Sandbox.Tests.Propstreet.Webhooks;

public sealed class WebhookDeliveryTests(PropstreetSandbox sandbox) : IClassFixture<PropstreetSandbox>
{
    private static async Task<(string Id, string Secret)> SubscribeAsync(HttpClient client, Uri url, string[] events, object? filter = null)
    {
        var response = await client.PostAsync("/api/v1/webhooks", Json.Body(new { url = url.ToString(), events, filter }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.ReadObjectAsync();
        return (body.Str("id"), body.Str("secret"));
    }

    private static async Task<string> FirstContactIdAsync(HttpClient client) =>
        (await (await client.GetAsync("/api/v1/network/contacts?page_size=1")).ReadObjectAsync())["data"]![0]!.Str("id");

    /// <summary>Reads history until the delivery has settled (not pending). Polling a state, not timing it.</summary>
    private static async Task<JsonObject> SettledDeliveryAsync(HttpClient client, string subscriptionId, string deliveryId)
    {
        for (var i = 0; ; i++)
        {
            var history = await (await client.GetAsync($"/api/v1/webhooks/{subscriptionId}/deliveries")).ReadObjectAsync();
            var delivery = history["data"]!.AsArray().Select(d => d!.AsObject()).Single(d => d.Str("id") == deliveryId);
            if (delivery.Str("status") != "pending" || i > 500)
                return delivery;
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task A_delivery_to_a_real_receiver_carries_a_verifiable_signature_and_the_changeOrigin_of_the_writing_token()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var client = sandbox.ClientFor();
        var (_, secret) = await SubscribeAsync(client, receiver.Url, ["contact.updated"]);
        var id = await FirstContactIdAsync(client);

        var written = await (await client.PatchAsync($"/api/v1/network/contacts/{id}", Json.Body(new { firstName = "Webhooked" }))).ReadObjectAsync();
        var received = await receiver.NextAsync();

        Assert.True(received.SignedWith(secret));
        Assert.StartsWith("msg_", received.Id, StringComparison.Ordinal);
        var payload = JsonNode.Parse(received.Body)!;
        Assert.Equal("contact.updated", payload.Str("event"));
        Assert.NotNull(payload["timestamp"]);
        var data = payload["data"]!;
        Assert.Equal(id, data.Str("id"));
        Assert.Equal(written.Str("changeOrigin"), data.Str("changeOrigin"));
        Assert.Contains("firstName", data["changedFields"]!.AsArray().Select(f => f!.GetValue<string>()));
    }

    [Fact]
    public async Task A_failed_delivery_is_retried_listed_in_history_and_can_be_redelivered_with_the_same_webhook_id()
    {
        await using var receiver = await WebhookReceiver.StartAsync(500, 503);
        var client = sandbox.ClientFor();
        var (subscriptionId, secret) = await SubscribeAsync(client, receiver.Url, ["contact.*"]);
        await sandbox.Control().PatchAsync($"/_sandbox/propstreet/contacts/{await FirstContactIdAsync(client)}", Json.Body(new { lastName = "Retry" }));

        var attempts = new[] { await receiver.NextAsync(), await receiver.NextAsync(), await receiver.NextAsync() };
        Assert.Equal([500, 503, 200], attempts.Select(a => a.AnsweredWith));
        Assert.Single(attempts.Select(a => a.Id).Distinct());
        Assert.All(attempts, a => Assert.True(a.SignedWith(secret)));

        var delivery = await SettledDeliveryAsync(client, subscriptionId, attempts[0].Id);
        Assert.Equal("succeeded", delivery.Str("status"));
        Assert.Equal([500, 503, 200], delivery["attempts"]!.AsArray().Select(a => a!["statusCode"]!.GetValue<int>()));

        var redeliver = await client.PostAsync($"/api/v1/webhooks/{subscriptionId}/deliveries/{attempts[0].Id}/redeliver", null);
        Assert.Equal(HttpStatusCode.Accepted, redeliver.StatusCode);
        var again = await receiver.NextAsync();
        Assert.Equal(attempts[0].Id, again.Id);
        Assert.Equal(attempts[0].Body, again.Body);
        Assert.True(again.SignedWith(secret));
    }

    [Fact]
    public async Task A_delivery_that_keeps_failing_is_marked_failed_after_the_configured_attempts()
    {
        await using var receiver = await WebhookReceiver.StartAsync(500, 500, 500, 500);
        var client = sandbox.ClientFor();
        var (subscriptionId, _) = await SubscribeAsync(client, receiver.Url, ["contact.updated"]);
        await sandbox.Control().PatchAsync($"/_sandbox/propstreet/contacts/{await FirstContactIdAsync(client)}", Json.Body(new { lastName = "Doomed" }));

        var first = await receiver.NextAsync();
        var delivery = await SettledDeliveryAsync(client, subscriptionId, first.Id);
        Assert.Equal("failed", delivery.Str("status"));
        Assert.Equal(4, delivery["attempts"]!.AsArray().Count);
    }

    [Fact]
    public async Task A_subscription_filtered_by_external_ref_namespace_gets_only_records_with_that_namespace()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var client = sandbox.ClientFor();
        var (subscriptionId, _) = await SubscribeAsync(client, receiver.Url, ["project.updated"], new Dictionary<string, string> { ["externalRef.namespace"] = "HubSpot" });
        var projects = await Json.WalkAsync(client, "/api/v1/projects");
        var without = projects.First(p => p["externalRefs"]!.AsArray().Count == 0);
        var with = projects.First(p => p["externalRefs"]!.AsArray().Any(r => r!.Str("namespace") == "hubspot"));

        await client.PatchAsync($"/api/v1/projects/{without.Str("id")}", Json.Body(new { name = "No ref" }));
        await client.PatchAsync($"/api/v1/projects/{with.Str("id")}", Json.Body(new { name = "Has ref" }));

        var received = JsonNode.Parse((await receiver.NextAsync()).Body)!;
        Assert.Equal(with.Str("id"), received["data"]!.Str("id"));
        Assert.Equal(["name"], received["data"]!["changedFields"]!.AsArray().Select(f => f!.GetValue<string>()));
        var history = await (await client.GetAsync($"/api/v1/webhooks/{subscriptionId}/deliveries")).ReadObjectAsync();
        Assert.Single(history["data"]!.AsArray());
    }

    [Fact]
    public async Task Subscriptions_and_their_history_are_private_to_the_token_that_created_them()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (subscriptionId, _) = await SubscribeAsync(sandbox.ClientFor(), receiver.Url, ["prospect.created"]);
        var other = sandbox.ClientFor();
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/v1/webhooks/{subscriptionId}/deliveries")).StatusCode);
        Assert.Empty((await (await other.GetAsync("/api/v1/webhooks")).ReadObjectAsync())["data"]!.AsArray());
    }

    [Fact]
    public async Task Unknown_events_and_non_http_urls_are_refused_with_400()
    {
        var client = sandbox.ClientFor();
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/api/v1/webhooks", Json.Raw("{\"url\":\"http://127.0.0.1:1/x\",\"events\":[\"contact.exploded\"]}"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/api/v1/webhooks", Json.Raw("{\"url\":\"ftp://example.com/x\",\"events\":[\"contact.created\"]}"))).StatusCode);
    }
}

public sealed class WebhookFaultTests
{
    [Fact]
    public async Task With_the_duplicate_fault_at_full_share_every_delivery_arrives_twice_with_the_same_webhook_id()
    {
        await using var sandbox = PropstreetSandbox.With(new Dictionary<string, string?> { ["Sandbox:Sizes:Contacts"] = "50" });
        await using var receiver = await WebhookReceiver.StartAsync();
        var client = sandbox.ClientFor();
        sandbox.Services.GetRequiredService<FaultSwitch>().Set(FaultProfile.None with { WebhookDuplicateShare = 1 });
        await client.PostAsync("/api/v1/webhooks", Json.Raw($$"""{"url":"{{receiver.Url}}","events":["contact.created"]}"""));

        await client.PostAsync("/api/v1/network/contacts", Json.Body(new { firstName = "Twice" }));
        var first = await receiver.NextAsync();
        var second = await receiver.NextAsync();
        Assert.Equal(first.Id, second.Id);
        Assert.Equal(first.Body, second.Body);
    }

    [Fact]
    public async Task With_the_out_of_order_fault_every_held_back_delivery_still_arrives()
    {
        await using var sandbox = PropstreetSandbox.With(new Dictionary<string, string?> { ["Sandbox:Sizes:Contacts"] = "50" });
        await using var receiver = await WebhookReceiver.StartAsync();
        var client = sandbox.ClientFor();
        sandbox.Services.GetRequiredService<FaultSwitch>().Set(FaultProfile.None with { WebhookOutOfOrder = true });
        await client.PostAsync("/api/v1/webhooks", Json.Raw($$"""{"url":"{{receiver.Url}}","events":["contact.created"]}"""));

        var created = new List<string>();
        for (var i = 0; i < 10; i++)
            created.Add((await (await client.PostAsync("/api/v1/network/contacts", Json.Body(new { firstName = $"N{i}" }))).ReadObjectAsync()).Str("id"));
        var received = new List<string>();
        for (var i = 0; i < 10; i++)
            received.Add(JsonNode.Parse((await receiver.NextAsync()).Body)!["data"]!.Str("id"));
        Assert.Equal(created.Order(), received.Order());
    }
}
