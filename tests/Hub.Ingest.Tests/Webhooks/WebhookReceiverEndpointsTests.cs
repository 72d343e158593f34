using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using System.Text.Json;
using Hub.Ingest.Webhooks;

namespace Hub.Ingest.Tests.Webhooks;

public sealed class WebhookReceiverEndpointsTests(IngestWebhookHostFixture fixture) : IClassFixture<IngestWebhookHostFixture>
{
    private IngestWebhookHost Host => fixture.Host;

    private string PropstreetPath => $"/webhooks/propstreet/{Host.Propstreet}";

    private static string ContactUpdated(string id = "10044", string updatedUtc = "2026-03-01T12:00:00.1234567Z") => $$$"""
        {"event":"contact.updated","timestamp":"2026-03-01T12:00:00.25Z","data":{"id":"{{{id}}}","firstName":"Jane","email":"jane@example.com",
        "updatedUtc":"{{{updatedUtc}}}","deletedUtc":null,"etag":"W/\"0000a1b2\"","changeOrigin":"ui","changedFields":["firstName"]}}
        """;

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        using (request)
            return await Host.Client.SendAsync(request);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal((int)status, problem.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.RootElement.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task A_signed_contact_change_is_confirmed_on_the_queue_as_RecordsObserved_before_the_2xx()
    {
        await Host.Observations.TakeAllAsync();
        var id = $"msg_{Guid.NewGuid():N}";

        using var response = await SendAsync(IngestWebhookHost.Delivery(PropstreetPath, ContactUpdated(), Host.Settings.PropstreetSecret, id));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = Assert.Single(await Host.Observations.TakeAllAsync());
        Assert.Equal($"webhook:{Host.Propstreet}:{id}", sent.ObservationId);
        Assert.Equal(("propstreet", Host.Propstreet, "contact", "webhook"), (sent.Source, sent.Connection, sent.Resource, sent.Channel));
        var record = Assert.Single(sent.Records);
        Assert.Equal("10044", record.Id);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero).AddTicks(1234567), record.UpdatedUtc);
        Assert.Null(record.DeletedUtc);
        Assert.Equal("W/\"0000a1b2\"", record.ETag);
        Assert.Equal("Jane", record.Data.GetProperty("firstName").GetString());
        Assert.Equal("ui", record.Data.GetProperty("changeOrigin").GetString());
    }

    [Fact]
    public async Task With_quorum_queues_a_signed_delivery_is_still_confirmed_on_the_queue_before_the_2xx()
    {
        await using var quorum = await IngestWebhookHost.StartAsync(new HostSettings { QuorumQueues = true });

        using var response = await quorum.Client.SendAsync(
            IngestWebhookHost.Delivery($"/webhooks/propstreet/{quorum.Propstreet}", ContactUpdated(), quorum.Settings.PropstreetSecret));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var observed = Assert.Single(await quorum.Observations.TakeAllAsync());
        Assert.Equal("10044", Assert.Single(observed.Records).Id);
    }

    [Fact]
    public async Task A_repeated_webhook_id_is_answered_2xx_and_sent_once()
    {
        await Host.Observations.TakeAllAsync();
        var id = $"msg_{Guid.NewGuid():N}";

        using var first = await SendAsync(IngestWebhookHost.Delivery(PropstreetPath, ContactUpdated(), Host.Settings.PropstreetSecret, id));
        using var again = await SendAsync(IngestWebhookHost.Delivery(PropstreetPath, ContactUpdated(), Host.Settings.PropstreetSecret, id));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("duplicate", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(await Host.Observations.TakeAllAsync());
    }

    [Fact]
    public async Task A_bad_signature_is_refused_with_401_problem_counted_by_reason_and_nothing_is_sent()
    {
        await Host.Observations.TakeAllAsync();
        var reasons = new List<string>();
        using var listener = ListenToRejections(Host.Propstreet, reasons);

        using var wrongSecret = await SendAsync(IngestWebhookHost.Delivery(PropstreetPath, ContactUpdated(), HostSettings.NewSecret()));
        var body = ContactUpdated();
        var signedForOtherBody = IngestWebhookHost.Sign(Host.Settings.PropstreetSecret, "msg_1", DateTimeOffset.UtcNow, body + " ");
        using var tampered = await SendAsync(IngestWebhookHost.Delivery(PropstreetPath, body, Host.Settings.PropstreetSecret, "msg_1", signature: signedForOtherBody));
        using var unsigned = await SendAsync(new HttpRequestMessage(HttpMethod.Post, PropstreetPath) { Content = new StringContent(body, Encoding.UTF8, "application/json") });

        await AssertProblemAsync(wrongSecret, HttpStatusCode.Unauthorized);
        await AssertProblemAsync(tampered, HttpStatusCode.Unauthorized);
        await AssertProblemAsync(unsigned, HttpStatusCode.Unauthorized);
        Assert.Empty(await Host.Observations.TakeAllAsync());
        Assert.Equal(["bad-signature", "bad-signature", "missing-headers"], reasons);
    }

    [Theory]
    [InlineData(-6, HttpStatusCode.Unauthorized)]
    [InlineData(6, HttpStatusCode.Unauthorized)]
    [InlineData(-4, HttpStatusCode.OK)]
    [InlineData(4, HttpStatusCode.OK)]
    public async Task A_timestamp_within_five_minutes_either_way_is_accepted_and_one_further_off_is_refused_with_401_and_nothing_sent(int minutes, HttpStatusCode expected)
    {
        await Host.Observations.TakeAllAsync();

        using var response = await SendAsync(IngestWebhookHost.Delivery(
            PropstreetPath, ContactUpdated(), Host.Settings.PropstreetSecret, sentAt: DateTimeOffset.UtcNow.AddMinutes(minutes)));

        var sent = await Host.Observations.TakeAllAsync();
        if (expected == HttpStatusCode.OK)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Single(sent);
        }
        else
        {
            await AssertProblemAsync(response, expected);
            Assert.Contains("tolerance", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Empty(sent);
        }
    }

    [Fact]
    public async Task During_a_secret_rotation_a_delivery_signed_with_old_and_new_secrets_and_one_signed_with_the_second_configured_secret_are_accepted()
    {
        await Host.Observations.TakeAllAsync();
        var body = ContactUpdated();
        var now = DateTimeOffset.UtcNow;
        var twoSignatures = $"{IngestWebhookHost.Sign(HostSettings.NewSecret(), "msg_rotated", now, body)} {IngestWebhookHost.Sign(Host.Settings.PropstreetSecret, "msg_rotated", now, body)}";

        using var both = await SendAsync(IngestWebhookHost.Delivery(PropstreetPath, body, Host.Settings.PropstreetSecret, "msg_rotated", now, twoSignatures));
        using var second = await SendAsync(IngestWebhookHost.Delivery(PropstreetPath, body, Host.Settings.PropstreetRotatedSecret));

        Assert.Equal(HttpStatusCode.OK, both.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(2, (await Host.Observations.TakeAllAsync()).Count);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_refused_with_413_whether_announced_by_Content_Length_or_streamed_and_nothing_is_sent()
    {
        await Host.Observations.TakeAllAsync();
        var oversize = ContactUpdated().Replace("\"Jane\"", $"\"{new string('x', int.Parse(IngestWebhookHost.MaxBodyBytes))}\"", StringComparison.Ordinal);
        using var announced = await SendAsync(IngestWebhookHost.Delivery(PropstreetPath, oversize, Host.Settings.PropstreetSecret));

        var streamed = IngestWebhookHost.Delivery(PropstreetPath, oversize, Host.Settings.PropstreetSecret);
        streamed.Content = new StreamContent(new UnknownLengthStream(Encoding.UTF8.GetBytes(oversize)));
        streamed.Content.Headers.ContentType = new("application/json");
        using var unannounced = await SendAsync(streamed);

        await AssertProblemAsync(announced, HttpStatusCode.RequestEntityTooLarge);
        await AssertProblemAsync(unannounced, HttpStatusCode.RequestEntityTooLarge);
        Assert.Empty(await Host.Observations.TakeAllAsync());
    }

    [Fact]
    public async Task A_signed_body_that_is_not_JSON_is_refused_with_400_problem_and_nothing_is_sent()
    {
        await Host.Observations.TakeAllAsync();

        using var response = await SendAsync(IngestWebhookHost.Delivery(PropstreetPath, "{\"event\":\"contact.updated\",\"data\":{", Host.Settings.PropstreetSecret));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Empty(await Host.Observations.TakeAllAsync());
    }

    [Fact]
    public async Task An_authentic_delivery_of_an_unknown_event_type_is_answered_2xx_parked_and_nothing_is_sent()
    {
        await Host.Observations.TakeAllAsync();
        var id = $"msg_{Guid.NewGuid():N}";

        using var response = await SendAsync(IngestWebhookHost.Delivery(
            PropstreetPath, """{"event":"contact.merged","timestamp":"2026-03-01T12:00:00Z","data":{"id":"1","mergedInto":"2"}}""", Host.Settings.PropstreetSecret, id));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Empty(await Host.Observations.TakeAllAsync());
        await using var db = Host.CreateDataSource();
        await using var parked = db.CreateCommand("SELECT event FROM hub_ingest.webhook_parked WHERE webhook_id = $1");
        parked.Parameters.Add(new() { Value = id });
        Assert.Equal("contact.merged", await parked.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_Property_Finder_lead_webhook_signed_with_its_raw_secret_becomes_a_lead_observation()
    {
        await Host.Observations.TakeAllAsync();
        const string body = """
            {"event":"lead.created","data":[{"id":"lead_987654","name":"Ahmed","phone":"+971 50 123 4567","channel":"whatsapp",
            "createdAt":"2025-12-19T10:30:00Z","listing":{"id":1,"reference":"R-1","title":"Villa"},"assignedTo":{"id":2,"name":"Agent"}}]}
            """;

        using var response = await SendAsync(IngestWebhookHost.Delivery($"/webhooks/propertyfinder/{Host.PropertyFinder}", body, Host.Settings.PropertyFinderSecret));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = Assert.Single(await Host.Observations.TakeAllAsync());
        Assert.Equal(("propertyfinder", "lead"), (sent.Source, sent.Resource));
        var lead = Assert.Single(sent.Records);
        Assert.Equal("lead_987654", lead.Id);
        Assert.Equal("2025-12-19T10:30:00Z", lead.Data.GetProperty("createdAt").GetString());
    }

    [Fact]
    public async Task A_connection_that_is_not_configured_for_that_source_is_404_problem()
    {
        using var wrongSource = await SendAsync(IngestWebhookHost.Delivery($"/webhooks/propertyfinder/{Host.Propstreet}", ContactUpdated(), Host.Settings.PropstreetSecret));
        using var unknown = await SendAsync(IngestWebhookHost.Delivery("/webhooks/propstreet/nobody", ContactUpdated(), Host.Settings.PropstreetSecret));

        await AssertProblemAsync(wrongSource, HttpStatusCode.NotFound);
        await AssertProblemAsync(unknown, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Received_refused_and_parked_deliveries_leave_no_secret_signature_or_record_field_in_the_logs()
    {
        var body = ContactUpdated();
        var observed = IngestWebhookHost.Delivery(PropstreetPath, body, Host.Settings.PropstreetSecret);
        var signature = observed.Headers.GetValues("webhook-signature").Single();
        using var accepted = await SendAsync(observed);
        using var refused = await SendAsync(IngestWebhookHost.Delivery(PropstreetPath, body, Host.Settings.PropstreetSecret, signature: signature));
        using var parked = await SendAsync(IngestWebhookHost.Delivery(PropstreetPath, body.Replace("contact.updated", "contact.merged", StringComparison.Ordinal), Host.Settings.PropstreetSecret));
        await Host.Observations.TakeAllAsync();

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Unauthorized, HttpStatusCode.Accepted], [accepted.StatusCode, refused.StatusCode, parked.StatusCode]);
        var logs = string.Join('\n', Host.Logs.Lines);
        Assert.Contains(Host.Propstreet, logs, StringComparison.Ordinal);
        string[] secrets = [Host.Settings.PropstreetSecret, Host.Settings.PropstreetSecret["whsec_".Length..], Host.Settings.PropstreetRotatedSecret, signature[3..], "jane@example.com", "Jane"];
        Assert.All(secrets, secret => Assert.DoesNotContain(secret, logs, StringComparison.Ordinal));
    }

    private static MeterListener ListenToRejections(string connection, List<string> reasons)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == IngestMetrics.Name && instrument.Name == WebhookMetrics.RejectionsName)
                    l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            var tagged = tags.ToArray();
            if (tagged.Any(t => t.Key == "connection" && (string?)t.Value == connection))
            {
                lock (reasons)
                    reasons.Add((string)tagged.Single(t => t.Key == "reason").Value!);
            }
        });
        listener.Start();
        return listener;
    }

    /// <summary>A body sent chunked, without Content-Length, so only reading can find it too large.</summary>
    private sealed class UnknownLengthStream(byte[] content) : MemoryStream(content)
    {
        public override bool CanSeek => false;
    }
}
