using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Hub.Ingest.Webhooks;

namespace Hub.Ingest.Tests.Webhooks;

/// <summary>What the HubSpot receiver answers to deliveries made by hand (signed as HubSpot signs), and what it keeps.</summary>
public sealed class HubSpotWebhookEndpointsTests(UnsubscribedHubSpotWebhookHostFixture fixture) : IClassFixture<UnsubscribedHubSpotWebhookHostFixture>
{
    // Far above the sandbox's own event ids, so the sandbox's deliveries never collide with these.
    private static long _nextEventId = 9_000_000_000 + Random.Shared.Next(1_000_000);

    private HubSpotWebhookHost Host => fixture.Host;

    private static long NextEventId() => Interlocked.Increment(ref _nextEventId);

    private static string Body(params Dictionary<string, object>[] events) => JsonSerializer.Serialize(events);

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        using (request)
            return await Host.Client.SendAsync(request);
    }

    private Task<long> InboxCountAsync(long eventId) =>
        Host.ScalarAsync($"SELECT count(*) FROM hub_ingest.hubspot_webhook_events WHERE connection = $1 AND event_id = {eventId}");

    private Task<long> PendingCountAsync() =>
        Host.ScalarAsync("SELECT count(*) FROM hub_ingest.hubspot_webhook_events WHERE connection = $1 AND done_utc IS NULL");

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(type, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_delivery_with_a_bad_signature_is_refused_with_401_and_nothing_is_kept()
    {
        var eventId = NextEventId();
        var body = Body(HubSpotWebhookHost.Event(eventId, "contact.propertyChange", "1"));
        var forged = Convert.ToBase64String(new byte[32]);

        using var response = await SendAsync(Host.Delivery(body, signature: forged));

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "urn:hub:webhook:bad-signature");
        Assert.Equal(0, await InboxCountAsync(eventId));
        Assert.DoesNotContain(Host.Logs.Lines, l => l.Contains(forged, StringComparison.Ordinal) || l.Contains(HubSpotWebhookHost.AppSecret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_delivery_signed_more_than_five_minutes_ago_is_refused_with_401_and_nothing_is_kept()
    {
        var eventId = NextEventId();
        var body = Body(HubSpotWebhookHost.Event(eventId, "contact.propertyChange", "1"));

        using var response = await SendAsync(Host.Delivery(body, sentAt: DateTimeOffset.UtcNow.AddMinutes(-5).AddSeconds(-10)));

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "urn:hub:webhook:stale-timestamp");
        Assert.Equal(0, await InboxCountAsync(eventId));
    }

    [Fact]
    public async Task Behind_a_proxy_a_delivery_signed_for_the_configured_public_URL_is_accepted_and_one_signed_for_the_forwarded_URL_refused()
    {
        var forwarded = Host.Ingest.ReceiverUrl("hubspot", Host.ProxiedConnection);

        using var signedForPublic = await SendAsync(Host.Delivery(Body(HubSpotWebhookHost.Event(NextEventId(), "contact.deletion", "1")), to: forwarded, signedFor: Host.PublicUrl));
        using var signedForForwarded = await SendAsync(Host.Delivery(Body(HubSpotWebhookHost.Event(NextEventId(), "contact.deletion", "1")), to: forwarded));

        Assert.Equal(HttpStatusCode.OK, signedForPublic.StatusCode);
        await AssertProblemAsync(signedForForwarded, HttpStatusCode.Unauthorized, "urn:hub:webhook:bad-signature");
    }

    [Fact]
    public void A_WebhookUrl_that_is_not_an_absolute_URL_stops_the_start_naming_the_key()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["HubSpot:Connections:main:WebhookUrl"] = "/webhooks/hubspot/main",
            ["HubSpot:Connections:other:WebhookUrl"] = "https://hub.example.com/webhooks/hubspot/other",
        }).Build();

        var refused = Assert.Throws<InvalidOperationException>(() => HubSpotWebhookConnection.Validate(configuration));

        Assert.Contains("HubSpot:Connections:main:WebhookUrl", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("other", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_delivery_to_a_connection_without_two_way_sync_finds_no_receiver()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/hubspot/not-configured") { Content = new StringContent("[]") };

        using var response = await Host.Client.SendAsync(request);

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "urn:hub:webhook:unknown-connection");
    }

    [Fact]
    public async Task A_delivery_of_more_than_100_events_is_refused_with_400_and_kept_for_the_operator()
    {
        var first = NextEventId();
        var events = Enumerable.Range(0, 101).Select(_ => HubSpotWebhookHost.Event(NextEventId(), "contact.propertyChange", "1")).ToArray();
        var parkedBefore = await Host.ParkedCountAsync();

        using var response = await SendAsync(Host.Delivery(Body(events)));
        using var retried = await SendAsync(Host.Delivery(Body([.. events.Select(e => new Dictionary<string, object>(e) { ["attemptNumber"] = 1 })])));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "urn:hub:webhook:too-many-events");
        await AssertProblemAsync(retried, HttpStatusCode.BadRequest, "urn:hub:webhook:too-many-events");
        Assert.Equal(parkedBefore + 1, await Host.ParkedCountAsync());
        Assert.Equal(0, await InboxCountAsync(first + 1));
    }

    [Fact]
    public async Task A_delivery_of_more_than_100_events_replayed_by_the_operator_is_taken_whole()
    {
        var contactId = await Host.CreateContactAsync(new { firstname = "Otto", email = $"otto.{Guid.NewGuid():N}@example.com" });
        var events = Enumerable.Range(0, 101).Select(_ => HubSpotWebhookHost.Event(NextEventId(), "contact.propertyChange", contactId)).ToArray();
        using var refused = await SendAsync(Host.Delivery(Body(events)));
        var parkedId = await Host.ScalarAsync($"SELECT id FROM hub_ingest.webhook_parked WHERE connection = $1 AND convert_from(body, 'UTF8') LIKE '%{events[0]["eventId"]}%'");

        using var replayed = await SendAsync(Host.Operator(HttpMethod.Post, $"/admin/webhooks/parked/{parkedId}/replay"));
        using var again = await SendAsync(Host.Operator(HttpMethod.Post, $"/admin/webhooks/parked/{parkedId}/replay"));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(new HubSpotWebhookAnswer("accepted", 101, 0, 0), await replayed.Content.ReadFromJsonAsync<HubSpotWebhookAnswer>());
        Assert.Equal(new HubSpotWebhookAnswer("already-replayed", 0, 0, 0), await again.Content.ReadFromJsonAsync<HubSpotWebhookAnswer>());
        Assert.Equal("Otto", (await Host.ObservedContactAsync(r => r.Id == contactId)).Data.GetProperty("firstname").GetString());
    }

    [Fact]
    public async Task An_event_whose_record_HubSpot_cannot_serve_yet_is_kept_and_observed_once_HubSpot_answers()
    {
        var contactId = await Host.CreateContactAsync(new { firstname = "Flo", email = $"flo.{Guid.NewGuid():N}@example.com" });
        var eventId = NextEventId();
        await Host.Sandbox.SetFaultsAsync(new { serverErrorShare = 1.0 });
        try
        {
            using var accepted = await SendAsync(Host.Delivery(Body(HubSpotWebhookHost.Event(eventId, "contact.creation", contactId))));
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
            for (var i = 0; i < 600 && await FailedAttemptsAsync(eventId) == 0; i++)
                await Task.Delay(50);
            Assert.True(await FailedAttemptsAsync(eventId) > 0, "The resolver never tried the event while HubSpot failed.");
        }
        finally
        {
            await Host.Sandbox.ClearFaultsAsync();
        }

        var record = await Host.ObservedContactAsync(r => r.Id == contactId);

        Assert.Equal("Flo", record.Data.GetProperty("firstname").GetString());
        await WaitUntilResolvedAsync();
    }

    private Task<long> FailedAttemptsAsync(long eventId) =>
        Host.ScalarAsync($"SELECT attempts FROM hub_ingest.hubspot_webhook_events WHERE connection = $1 AND event_id = {eventId}");

    [Fact]
    public async Task A_delivery_repeated_by_HubSpot_with_attemptNumber_1_adds_nothing()
    {
        var contactId = await Host.CreateContactAsync(new { firstname = "Rita", email = $"rita.{Guid.NewGuid():N}@example.com" });
        var eventId = NextEventId();
        using var accepted = await SendAsync(Host.Delivery(Body(HubSpotWebhookHost.Event(eventId, "contact.propertyChange", contactId))));
        Assert.Equal(new HubSpotWebhookAnswer("accepted", 1, 0, 0), await accepted.Content.ReadFromJsonAsync<HubSpotWebhookAnswer>());
        await Host.ObservedContactAsync(r => r.Id == contactId);
        await WaitUntilResolvedAsync();
        await Host.Observations.DrainAsync();
        var before = Host.Observations.Received.Count(o => o.Channel == "webhook");

        using var repeated = await SendAsync(Host.Delivery(Body(HubSpotWebhookHost.Event(eventId, "contact.propertyChange", contactId, attemptNumber: 1))));
        Assert.Equal(0, await PendingCountAsync());
        // Events are resolved in the order they arrived: once a later event is observed, anything the repeat caused would be too.
        var marker = await Host.CreateContactAsync(new { firstname = "Marker", email = $"marker.{Guid.NewGuid():N}@example.com" });
        using var markerSent = await SendAsync(Host.Delivery(Body(HubSpotWebhookHost.Event(NextEventId(), "contact.creation", marker))));
        await Host.ObservedContactAsync(r => r.Id == marker);
        await WaitUntilResolvedAsync();
        await Host.Observations.DrainAsync();

        Assert.Equal(new HubSpotWebhookAnswer("duplicate", 0, 1, 0), await repeated.Content.ReadFromJsonAsync<HubSpotWebhookAnswer>());
        Assert.Equal(1, await InboxCountAsync(eventId));
        Assert.All(Host.Observations.Received.Where(o => o.Channel == "webhook").Skip(before), o => Assert.All(o.Records, r => Assert.Equal(marker, r.Id)));
    }

    [Fact]
    public async Task An_event_type_the_hub_does_not_map_is_parked_and_the_others_of_the_delivery_accepted()
    {
        var contactId = await Host.CreateContactAsync(new { firstname = "Una", email = $"una.{Guid.NewGuid():N}@example.com" });
        var parkedBefore = await Host.ParkedCountAsync();
        var unknown = HubSpotWebhookHost.Event(NextEventId(), "ticket.creation", contactId);

        using var response = await SendAsync(Host.Delivery(Body(HubSpotWebhookHost.Event(NextEventId(), "contact.propertyChange", contactId), unknown)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new HubSpotWebhookAnswer("accepted", 1, 0, 1), await response.Content.ReadFromJsonAsync<HubSpotWebhookAnswer>());
        Assert.Equal(parkedBefore + 1, await Host.ParkedCountAsync());
    }

    /// <summary>Polls the inbox (a state, not a time) until the resolver has sent every event of this connection.</summary>
    private async Task WaitUntilResolvedAsync()
    {
        for (var i = 0; i < 600 && await PendingCountAsync() > 0; i++)
            await Task.Delay(50);
        Assert.Equal(0, await PendingCountAsync());
    }
}
