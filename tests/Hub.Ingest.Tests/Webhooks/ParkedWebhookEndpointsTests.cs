using System.Net;
using System.Text;
using System.Text.Json;

namespace Hub.Ingest.Tests.Webhooks;

public sealed class ParkedWebhookEndpointsTests(IngestWebhookHostFixture fixture) : IClassFixture<IngestWebhookHostFixture>
{
    private const string MergedEvent = """{"event":"contact.merged","timestamp":"2026-03-01T12:00:00Z","data":{"id":"1","mergedInto":"2"}}""";

    private IngestWebhookHost Host => fixture.Host;

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        using (request)
            return await Host.Client.SendAsync(request);
    }

    private async Task<JsonElement> JsonAsync(HttpRequestMessage request, HttpStatusCode expected)
    {
        using var response = await SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode}: {text}");
        using var json = JsonDocument.Parse(text);
        return json.RootElement.Clone();
    }

    private async Task<JsonElement> ParkedAsync(string webhookId, bool includeReplayed = false) =>
        (await JsonAsync(Host.Operator(HttpMethod.Get, $"/admin/webhooks/parked?includeReplayed={includeReplayed}"), HttpStatusCode.OK))
            .GetProperty("data").EnumerateArray().SingleOrDefault(p => p.GetProperty("webhookId").GetString() == webhookId);

    private async Task<string> ParkUnknownEventAsync()
    {
        var id = $"msg_{Guid.NewGuid():N}";
        using var response = await SendAsync(IngestWebhookHost.Delivery($"/webhooks/propstreet/{Host.Propstreet}", MergedEvent, Host.Settings.PropstreetSecret, id));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return id;
    }

    [Fact]
    public async Task A_parked_delivery_is_listed_and_shown_to_the_operator_with_its_headers_and_body()
    {
        var webhookId = await ParkUnknownEventAsync();

        var listed = await ParkedAsync(webhookId);
        var shown = await JsonAsync(Host.Operator(HttpMethod.Get, $"/admin/webhooks/parked/{listed.GetProperty("id").GetInt64()}"), HttpStatusCode.OK);

        Assert.Equal("contact.merged", listed.GetProperty("event").GetString());
        Assert.Equal(Host.Propstreet, listed.GetProperty("connection").GetString());
        Assert.Contains("contact.merged", listed.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(webhookId, shown.GetProperty("headers").GetProperty("webhook-id").GetString());
        Assert.Equal("2", shown.GetProperty("body").GetProperty("data").GetProperty("mergedInto").GetString());
    }

    [Fact]
    public async Task The_parked_deliveries_are_refused_without_the_operator_token_with_401_and_with_a_wrong_one_with_403()
    {
        var webhookId = await ParkUnknownEventAsync();
        var id = (await ParkedAsync(webhookId)).GetProperty("id").GetInt64();

        using var listWithout = await SendAsync(Host.Operator(HttpMethod.Get, "/admin/webhooks/parked", token: null));
        using var replayWithout = await SendAsync(Host.Operator(HttpMethod.Post, $"/admin/webhooks/parked/{id}/replay", token: null));
        using var listWrong = await SendAsync(Host.Operator(HttpMethod.Get, "/admin/webhooks/parked", token: "not-the-token"));
        using var replayWrong = await SendAsync(Host.Operator(HttpMethod.Post, $"/admin/webhooks/parked/{id}/replay", token: "not-the-token"));

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden],
            [listWithout.StatusCode, replayWithout.StatusCode, listWrong.StatusCode, replayWrong.StatusCode]);
        Assert.All([listWithout, replayWithout, listWrong, replayWrong],
            r => Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType));
        Assert.DoesNotContain(Host.Settings.OperatorToken, await listWrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replaying_a_delivery_this_code_still_cannot_map_answers_409_sends_nothing_and_keeps_it_parked()
    {
        await Host.Observations.TakeAllAsync();
        var webhookId = await ParkUnknownEventAsync();
        var id = (await ParkedAsync(webhookId)).GetProperty("id").GetInt64();

        var problem = await JsonAsync(Host.Operator(HttpMethod.Post, $"/admin/webhooks/parked/{id}/replay"), HttpStatusCode.Conflict);

        Assert.Contains("contact.merged", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(await Host.Observations.TakeAllAsync());
        Assert.Equal(JsonValueKind.Null, (await ParkedAsync(webhookId)).GetProperty("replayedUtc").ValueKind);
    }

    [Fact]
    public async Task A_delivery_parked_by_an_earlier_version_is_replayed_by_the_operator_as_RecordsObserved_once()
    {
        await Host.Observations.TakeAllAsync();
        var webhookId = $"msg_{Guid.NewGuid():N}";
        // What a version that did not know project events yet left behind.
        const string body = """{"event":"project.updated","timestamp":"2026-03-01T12:00:00Z","data":{"id":"1003","name":"Kv. Eken","updatedUtc":"2026-03-01T11:59:59.5Z","etag":"W/\"00000007\"","changeOrigin":"ui","changedFields":["name"]}}""";
        await using (var db = Host.CreateDataSource())
        await using (var park = db.CreateCommand(
            """
            INSERT INTO hub_ingest.webhook_parked (source, connection, webhook_id, event, reason, headers, body, received_utc)
            VALUES ('propstreet', $1, $2, 'project.updated', 'Unknown Propstreet event type ''project.updated''.', $3::jsonb, $4, now())
            """))
        {
            park.Parameters.Add(new() { Value = Host.Propstreet });
            park.Parameters.Add(new() { Value = webhookId });
            park.Parameters.Add(new() { Value = JsonSerializer.Serialize(new Dictionary<string, string> { ["webhook-id"] = webhookId }) });
            park.Parameters.Add(new() { Value = Encoding.UTF8.GetBytes(body) });
            await park.ExecuteNonQueryAsync();
        }

        var id = (await ParkedAsync(webhookId)).GetProperty("id").GetInt64();

        var replayed = await JsonAsync(Host.Operator(HttpMethod.Post, $"/admin/webhooks/parked/{id}/replay"), HttpStatusCode.OK);
        var again = await JsonAsync(Host.Operator(HttpMethod.Post, $"/admin/webhooks/parked/{id}/replay"), HttpStatusCode.OK);

        Assert.Equal("observed", replayed.GetProperty("status").GetString());
        Assert.Equal("already-replayed", again.GetProperty("status").GetString());
        var sent = Assert.Single(await Host.Observations.TakeAllAsync());
        Assert.Equal($"webhook:{Host.Propstreet}:{webhookId}", sent.ObservationId);
        Assert.Equal("project", sent.Resource);
        Assert.Equal("1003", Assert.Single(sent.Records).Id);
        Assert.Equal(JsonValueKind.Undefined, (await ParkedAsync(webhookId)).ValueKind);
        Assert.NotEqual(JsonValueKind.Null, (await ParkedAsync(webhookId, includeReplayed: true)).GetProperty("replayedUtc").ValueKind);

        // The sender's retry of that delivery is now a repeat: answered, not sent again.
        using var retried = await SendAsync(IngestWebhookHost.Delivery($"/webhooks/propstreet/{Host.Propstreet}", body, Host.Settings.PropstreetSecret, webhookId));
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Empty(await Host.Observations.TakeAllAsync());
    }
}
