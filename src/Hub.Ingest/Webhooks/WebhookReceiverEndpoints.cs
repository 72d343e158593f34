using System.Buffers;
using Hub.Ingest.Observations;
using Microsoft.Extensions.Options;

namespace Hub.Ingest.Webhooks;

/// <summary>
/// <c>POST /webhooks/{source}/{connection}</c>: one receiver per configured connection. In order: the body limit
/// (413, before buffering), the Standard Webhooks signature over the raw body (401), JSON (400), the webhook id
/// (a repeat → 200, nothing sent), then the mapped records are sent and confirmed before 200 — or the authentic but
/// unmappable delivery is parked (202), never answered with an error the sender would retry into a storm.
/// </summary>
public static partial class WebhookReceiverEndpoints
{
    /// <summary>Headers kept with a parked delivery (never logged).</summary>
    private static readonly string[] KeptHeaders = ["webhook-id", "webhook-timestamp", "webhook-signature", "webhook-attempt", "content-type", "user-agent"];

    public static IEndpointRouteBuilder MapWebhookReceiverEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/webhooks/{source}/{connection}", ReceiveAsync);
        return app;
    }

    private static async Task<IResult> ReceiveAsync(
        string source, string connection, HttpContext http, IOptionsMonitor<WebhookOptions> options, WebhookStore store,
        ObservationSender sender, WebhookMetrics metrics, TimeProvider clock, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(WebhookReceiverEndpoints).FullName!);
        var ct = http.RequestAborted;

        // Metric tags and logs name configured connections only: the route's words are the caller's.
        var (knownSource, knownConnection) = ("unknown", "unknown");
        var settings = options.CurrentValue;
        var configured = settings.Connections.FirstOrDefault(c => string.Equals(c.Key, connection, StringComparison.OrdinalIgnoreCase));
        var secrets = configured.Value?.AcceptedSecrets() ?? [];
        if (configured.Value is null || !string.Equals(configured.Value.Source, source, StringComparison.OrdinalIgnoreCase) || secrets.Count == 0)
        {
            return Reject(404, "unknown-connection", "No webhook receiver here",
                $"No connection '{connection}' of source '{source}' with a webhook secret is configured (Ingest:Connections:{{name}}:Source and WebhookSecret).");
        }

        // Canonical spellings from configuration: they become part of the observation id.
        connection = knownConnection = configured.Key;
        source = knownSource = configured.Value.Source!.ToLowerInvariant();

        var limit = settings.Webhooks.MaxBodyBytes;
        var body = await ReadBoundedAsync(http.Request, limit, ct);
        if (body is null)
            return Reject(413, "payload-too-large", "Payload too large", $"A webhook body may hold at most {limit} bytes.");

        var headers = http.Request.Headers;
        var webhookId = headers["webhook-id"].ToString();
        var verdict = StandardWebhookSignature.Verify(
            webhookId, headers["webhook-timestamp"].ToString(), headers["webhook-signature"].ToString(), body,
            secrets, clock.GetUtcNow(), settings.Webhooks.TimestampTolerance);
        switch (verdict)
        {
            case WebhookVerdict.MissingHeaders:
                return Reject(401, "missing-headers", "Unsigned webhook", "webhook-id, webhook-timestamp and webhook-signature are required (Standard Webhooks).");
            case WebhookVerdict.InvalidTimestamp:
                return Reject(401, "invalid-timestamp", "Invalid webhook timestamp", "webhook-timestamp must be Unix seconds.");
            case WebhookVerdict.StaleTimestamp:
                return Reject(401, "stale-timestamp", "Webhook timestamp out of tolerance",
                    $"webhook-timestamp is more than {settings.Webhooks.TimestampTolerance} away from the receiver's clock.");
            case WebhookVerdict.BadSignature:
                return Reject(401, "bad-signature", "Invalid webhook signature", "No v1 signature in webhook-signature matches this connection's secret.");
        }

        var reading = WebhookReading.Read(source, body);
        if (reading is WebhookReading.Malformed malformed)
            return Reject(400, "malformed-json", "Malformed webhook body", malformed.Detail);

        if (await store.WasSentAsync(connection, webhookId, ct))
        {
            metrics.Accepted(source, connection, "duplicate");
            LogDuplicate(logger, webhookId, source, connection);
            return Results.Ok(new WebhookAnswer("duplicate", WebhookHandOff.ObservationId(connection, webhookId)));
        }

        var receivedUtc = clock.GetUtcNow();
        switch (reading)
        {
            case WebhookReading.Observed observed:
                var message = await WebhookHandOff.SendAsync(sender, store, clock, source, connection, webhookId, observed, receivedUtc, ct);
                metrics.Accepted(source, connection, "observed");
                LogObserved(logger, webhookId, observed.Event, source, connection, observed.Records.Count);
                return Results.Ok(new WebhookAnswer("observed", message.ObservationId));
            case WebhookReading.Parked parked:
                var kept = KeptHeaders.Where(h => headers.ContainsKey(h)).ToDictionary(h => h, h => headers[h].ToString());
                await store.ParkAsync(new ParkedWebhook(0, source, connection, webhookId, parked.Event, parked.Reason, kept, body, receivedUtc, null), ct);
                metrics.Accepted(source, connection, "parked");
                LogParked(logger, webhookId, parked.Event, source, connection, parked.Reason);
                return Results.Accepted(value: new WebhookAnswer("parked", null));
            default:
                throw new InvalidOperationException($"Unexpected reading {reading.GetType().Name}.");
        }

        IResult Reject(int status, string reason, string title, string detail)
        {
            metrics.Rejected(knownSource, knownConnection, reason);
            LogRejected(logger, knownSource, knownConnection, status, reason);
            return Results.Problem(detail, statusCode: status, title: title, type: $"urn:hub:webhook:{reason}");
        }
    }

    /// <summary>The raw body, or null when it is larger than <paramref name="limit"/> (by Content-Length, or while streaming).</summary>
    internal static async Task<byte[]?> ReadBoundedAsync(HttpRequest request, int limit, CancellationToken ct)
    {
        if (request.ContentLength > limit)
            return null;
        using var buffer = new MemoryStream(request.ContentLength is { } length ? (int)length : 4096);
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + read > limit)
                    return null;
                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook for {Source}/{Connection} refused with {Status}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string source, string connection, int status, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {WebhookId} ({Event}) for {Source}/{Connection} sent as {RecordCount} observed records")]
    private static partial void LogObserved(ILogger logger, string webhookId, string @event, string source, string connection, int recordCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {WebhookId} for {Source}/{Connection} already sent; answered without sending again")]
    private static partial void LogDuplicate(ILogger logger, string webhookId, string source, string connection);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {WebhookId} ({Event}) for {Source}/{Connection} parked: {Reason}")]
    private static partial void LogParked(ILogger logger, string webhookId, string? @event, string source, string connection, string reason);
}

/// <summary>The body of a 2xx answer: what happened to the delivery.</summary>
public sealed record WebhookAnswer(string Status, string? ObservationId);
