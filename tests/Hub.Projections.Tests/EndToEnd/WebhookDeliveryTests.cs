extern alias sandbox;

using Hub.Sync.Records;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text;
using Hub.Projections.Records;
using Signer = sandbox::Hub.Sandbox.Webhooks.StandardWebhookSigner;

namespace Hub.Projections.Tests.EndToEnd;

/// <summary>
/// Webhooks through the real receiver: signed deliveries over HTTP to Ingest on Kestrel, then RabbitMQ, the store
/// consumer and the streams, with the poller of the same connection running alongside.
/// </summary>
public sealed class WebhookDeliveryTests : EndToEndTest
{
    private static readonly string[] ContactEvents = ["contact.*"];

    protected override int Contacts => 40;

    [Fact]
    public async Task Webhook_and_poll_racing_on_one_record_end_in_its_newest_state()
    {
        var port = FreePort();
        // The sandbox signs and sends every change of the contact, some twice and out of order, while the poller reads
        // the same contact every 200 ms.
        using var subscribed = await Sandbox.PropstreetApiAsync(HttpMethod.Post, "/api/v1/webhooks",
            new { url = $"http://127.0.0.1:{port}/webhooks/propstreet/main", events = ContactEvents });
        Assert.Equal(HttpStatusCode.Created, subscribed.StatusCode);
        var subscription = await subscribed.Content.ReadFromJsonAsync<JsonElement>();
        await Sandbox.SetFaultsAsync(new { webhookDuplicateShare = 0.3, webhookOutOfOrder = true });
        Hub.StartHost();
        StartIngest(new Dictionary<string, string?>(IngestSettings(schedule: "00:00:00.200"))
        {
            ["Ingest:Connections:main:WebhookSecret"] = subscription.GetProperty("secret").GetString(),
        }, port);
        await WaitForStreamsAsync(Contacts);

        var contact = (await Hub.RecordsAsync()).First(r => !r.IsDeleted).RecordId;
        const int Changes = 20;
        for (var change = 1; change <= Changes; change++)
        {
            using var patched = await Sandbox.Control.PatchAsJsonAsync(
                new Uri($"/_sandbox/propstreet/contacts/{contact}", UriKind.Relative), new { firstName = $"Change{change}" });
            patched.EnsureSuccessStatusCode();
        }

        await Sandbox.SetFaultsAsync(new { });
        using var current = await Sandbox.PropstreetApiAsync(HttpMethod.Get, $"/api/v1/network/contacts/{contact}");
        var newest = await current.Content.ReadFromJsonAsync<JsonElement>();
        var stream = SourceRecord.StreamKey("propstreet", "contact", contact);
        await EveryDeliveryAnsweredAsync(subscription.GetProperty("id").GetString()!, Changes);
        await ProjectionsHost.WaitUntilAsync(async () => await QueuedObservationsAsync() == 0
            && (await Hub.RecordsAsync()).Single(r => r.Id == stream).UpdatedUtc == newest.GetProperty("updatedUtc").GetDateTimeOffset());
        await ReceiveEverythingStoredAsync();

        var record = (await Hub.RecordsAsync()).Single(r => r.Id == stream);
        Assert.Equal($"Change{Changes}", record.Fields.GetProperty("firstName").GetString());
        Assert.Equal(newest.GetProperty("etag").GetString(), record.ETag);
        // Never rolled back: every event the stream holds is newer than the one before it.
        var updated = (await ContactStreamsAsync())[stream].Select(e => ((IRecordEvent)e.Data).UpdatedUtc).ToList();
        Assert.Equal(updated.Order(), updated);
        Assert.Equal(updated.Count, updated.Distinct().Count());
        await AssertSubscriberReceivedEveryChangeInOrderAsync();
    }

    [Fact]
    public async Task A_thousand_signed_webhooks_shuffled_with_30_percent_duplicates_end_each_record_where_in_order_delivery_does()
    {
        var port = FreePort();
        var secret = Signer.NewSecret();
        Hub.StartHost();
        StartIngest(new Dictionary<string, string?>
        {
            ["Ingest:Connections:hooks:Source"] = "propstreet",
            ["Ingest:Connections:hooks:Poll"] = "false",
            ["Ingest:Connections:hooks:WebhookSecret"] = secret,
        }, port);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        // 100 contacts × 7 versions: contacts 1–100 delivered in order, once each; contacts 101–200 the same versions,
        // 300 deliveries of them sent twice (same webhook-id), all 1,000 shuffled and 8 at a time. (The store's
        // consumers take several deliveries at once, so even in-order delivery may drop a version as stale; what both
        // must agree on is where each record ends, and that no stream ever goes back.)
        var inOrder = Enumerable.Range(1, 100).SelectMany(id => Enumerable.Range(1, 7).Select(v => (Id: id, Version: v))).ToList();
        var random = new Random(9);
        var shuffled = inOrder.Select(d => (Id: d.Id + 100, d.Version)).ToList();
        shuffled.AddRange(shuffled.OrderBy(_ => random.Next()).Take(300).ToList());
        shuffled = [.. shuffled.OrderBy(_ => random.Next())];
        Assert.Equal(1000, shuffled.Count);

        foreach (var (id, version) in inOrder)
            Assert.Equal(HttpStatusCode.OK, await DeliverAsync(http, secret, id, version));
        var answers = new List<HttpStatusCode>();
        await Parallel.ForEachAsync(shuffled, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (delivery, _) =>
        {
            var status = await DeliverAsync(http, secret, delivery.Id, delivery.Version);
            lock (answers)
                answers.Add(status);
        });
        Assert.All(answers, status => Assert.Equal(HttpStatusCode.OK, status));
        await ProjectionsHost.WaitUntilAsync(async () => await QueuedObservationsAsync() == 0
            && (await Hub.RecordsAsync()).Count(r => r.ETag == Version(7)) == 200);

        var records = (await Hub.RecordsAsync()).ToDictionary(r => int.Parse(r.RecordId, CultureInfo.InvariantCulture));
        Assert.Equal(200, records.Count);
        foreach (var id in Enumerable.Range(1, 100))
        {
            var (expected, actual) = (records[id], records[id + 100]);
            Assert.Equal((expected.UpdatedUtc, expected.ETag, expected.IsDeleted), (actual.UpdatedUtc, actual.ETag, actual.IsDeleted));
            Assert.Equal(Fields(expected), Fields(actual));
        }

        var streams = await ContactStreamsAsync();
        Assert.All(streams.Values, events =>
        {
            Assert.Equal(typeof(RecordCreated), events[0].Data.GetType());
            var updated = events.Select(e => ((IRecordEvent)e.Data).UpdatedUtc).ToList();
            Assert.Equal(updated.Order(), updated);
            Assert.Equal(updated.Count, updated.Distinct().Count());
        });
    }

    private static readonly DateTimeOffset Start = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);

    private static string Version(int version) => $"W/\"{version:x8}\"";

    // The record's fields as a subscriber would compare them: without the id, which differs between the two halves.
    private static string Fields(SourceRecord record) =>
        string.Join(',', record.Fields.EnumerateObject().Where(p => p.Name != "id").Select(p => $"{p.Name}={p.Value.GetRawText()}"));

    /// <summary>One signed contact.updated delivery of a version; the webhook-id is the version's, so a repeat is a redelivery.</summary>
    private static async Task<HttpStatusCode> DeliverAsync(HttpClient http, string secret, int id, int version)
    {
        var body = JsonSerializer.Serialize(new
        {
            @event = "contact.updated",
            timestamp = Start.AddSeconds(version),
            data = new
            {
                id = id.ToString(CultureInfo.InvariantCulture),
                firstName = $"First{version}",
                title = $"v{version}",
                updatedUtc = Start.AddSeconds(version),
                deletedUtc = (DateTimeOffset?)null,
                etag = Version(version),
            },
        });
        // Signed as the sandbox signs (Standard Webhooks), the webhook-id naming the version.
        var (webhookId, sentAt) = ($"msg_{id}_{version}", DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/propstreet/hooks") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("webhook-id", webhookId);
        request.Headers.Add("webhook-timestamp", sentAt.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", Signer.Sign(secret, webhookId, sentAt, body));
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>Reads the sandbox's delivery history until each of the subscription's deliveries was answered 2xx.</summary>
    private async Task EveryDeliveryAnsweredAsync(string subscriptionId, int deliveries) =>
        await ProjectionsHost.WaitUntilAsync(async () =>
        {
            using var response = await Sandbox.PropstreetApiAsync(HttpMethod.Get, $"/api/v1/webhooks/{subscriptionId}/deliveries");
            var history = await response.Content.ReadFromJsonAsync<JsonElement>();
            var answered = history.GetProperty("data").EnumerateArray().Count(d => d.GetProperty("attempts").EnumerateArray()
                .Any(a => a.GetProperty("statusCode").ValueKind == JsonValueKind.Number && a.GetProperty("statusCode").GetInt32() is >= 200 and < 300));
            return answered >= deliveries;
        });

    // The sandbox must know the receiver's URL before Ingest can know the subscription's secret, so the port is chosen first.
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
