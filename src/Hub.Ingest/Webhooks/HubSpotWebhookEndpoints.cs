using System.Text.Json;
using Hub.Crm.HubSpot;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Options;

namespace Hub.Ingest.Webhooks;

/// <summary>
/// <c>POST /webhooks/hubspot/{connection}</c>: HubSpot's webhooks for a two-way connection
/// (<c>HubSpot:Connections:{name}</c> with <c>TwoWay</c> and an <c>AppSecret</c>). In order: the body limit (413),
/// signature v3 over the raw body and its timestamp window (401), a JSON array of at most 100 events (400; an
/// authentic one is parked), then the events are kept in the inbox — a repeated eventId adds nothing — and answered
/// 200 at once; <see cref="HubSpotWebhookResolver"/> reads the records from HubSpot and sends the observations
/// (ADR 0023). Events of types the hub does not map are parked, as the other receivers park (ADR 0016).
/// </summary>
public static partial class HubSpotWebhookEndpoints
{
    public const string Source = "hubspot";

    /// <summary>How far ahead of our clock a timestamp may be (the window proper is the age: HubSpot's 5 minutes).</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(1);

    private static readonly string[] KeptHeaders = ["x-hubspot-request-timestamp", "x-hubspot-signature-version", "content-type", "user-agent"];

    public static IEndpointRouteBuilder MapHubSpotWebhookEndpoints(this IEndpointRouteBuilder app)
    {
        // A literal segment outranks {source}: HubSpot's receiver is this one, not the Standard Webhooks one.
        app.MapPost($"/webhooks/{Source}/{{connection}}", ReceiveAsync);
        return app;
    }

    private static async Task<IResult> ReceiveAsync(
        string connection, HttpContext http, IConfiguration configuration, IOptionsMonitor<WebhookOptions> options,
        HubSpotWebhookInbox inbox, HubSpotWebhookResolver resolver, WebhookStore store, WebhookMetrics metrics,
        HubSpotWebhookMetrics events, TimeProvider clock, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(HubSpotWebhookEndpoints).FullName!);
        var ct = http.RequestAborted;
        var knownConnection = "unknown";

        if (HubSpotWebhookConnection.Find(configuration, connection) is not { } configured)
        {
            return Reject(404, "unknown-connection", "No webhook receiver here",
                $"No two-way HubSpot connection '{connection}' with an app secret is configured (HubSpot:Connections:{{name}}:TwoWay and AppSecret).");
        }

        connection = knownConnection = configured.Name;
        var limits = options.CurrentValue.Webhooks;
        var body = await WebhookReceiverEndpoints.ReadBoundedAsync(http.Request, limits.MaxBodyBytes, ct);
        if (body is null)
            return Reject(413, "payload-too-large", "Payload too large", $"A webhook body may hold at most {limits.MaxBodyBytes} bytes.");

        var headers = http.Request.Headers;
        var verdict = HubSpotWebhookSignature.Verify(
            http.Request.Method, configured.WebhookUrl?.AbsoluteUri ?? http.Request.GetEncodedUrl(), body,
            headers["X-HubSpot-Request-Timestamp"].ToString(), headers["X-HubSpot-Signature-v3"].ToString(),
            configured.AppSecret, clock.GetUtcNow(), limits.TimestampTolerance, MaxClockSkew);
        switch (verdict)
        {
            case WebhookVerdict.MissingHeaders:
                return Reject(401, "missing-headers", "Unsigned webhook", "X-HubSpot-Signature-v3 and X-HubSpot-Request-Timestamp are required (signature v3).");
            case WebhookVerdict.InvalidTimestamp:
                return Reject(401, "invalid-timestamp", "Invalid webhook timestamp", "X-HubSpot-Request-Timestamp must be Unix milliseconds.");
            case WebhookVerdict.StaleTimestamp:
                return Reject(401, "stale-timestamp", "Webhook timestamp out of tolerance",
                    $"X-HubSpot-Request-Timestamp is older than {limits.TimestampTolerance} or more than {MaxClockSkew} ahead of the receiver's clock.");
            case WebhookVerdict.BadSignature:
                return Reject(401, "bad-signature", "Invalid webhook signature",
                    "X-HubSpot-Signature-v3 does not match this connection's app secret over the request (behind a proxy, set HubSpot:Connections:{name}:WebhookUrl to the URL HubSpot calls).");
        }

        var receivedUtc = clock.GetUtcNow();
        var kept = KeptHeaders.Where(h => headers.ContainsKey(h)).ToDictionary(h => h, h => headers[h].ToString());
        switch (HubSpotWebhookEvents.Read(body))
        {
            case HubSpotWebhookEvents.Malformed malformed:
                return Reject(400, "malformed-json", "Malformed webhook body", malformed.Detail);
            case HubSpotWebhookEvents.Refused refused:
                // Authentic, so kept for an operator (a replay splits it); HubSpot never sends such a body.
                await ParkAsync(body, HubSpotWebhookEvents.EventIds(body), null, refused.Detail);
                return Reject(400, refused.Reason, "Not a HubSpot delivery", $"{refused.Detail} The delivery is kept for an operator (/admin/webhooks/parked).");
            case HubSpotWebhookEvents.Events read:
                var added = read.Mapped.Count == 0 ? new HashSet<long>() : await inbox.AddAsync(connection, read.Mapped, receivedUtc, ct);
                foreach (var e in read.Mapped)
                {
                    var isNew = added.Contains(e.EventId);
                    events.Event(connection, e.SubscriptionType, e.ChangeSource, isNew ? "new" : "repeat");
                    LogEvent(logger, e.EventId, e.SubscriptionType, e.ObjectId, e.AttemptNumber, e.ChangeSource, e.SourceId, connection, isNew);
                }

                if (read.Unmapped.Count > 0)
                {
                    var unmapped = JsonSerializer.SerializeToUtf8Bytes(read.Unmapped);
                    await ParkAsync(unmapped, HubSpotWebhookEvents.EventIds(unmapped), read.Unmapped[0].TryGetProperty("subscriptionType", out var t) ? t.ToString() : null, read.UnmappedReason!);
                    foreach (var e in read.Unmapped)
                        events.Event(connection, e.TryGetProperty("subscriptionType", out var type) ? type.ToString() : "unknown", null, "parked");
                }

                if (added.Count > 0)
                    resolver.Wake();
                var outcome = read.Mapped.Count == 0 ? "parked" : added.Count == 0 ? "duplicate" : "accepted";
                metrics.Accepted(Source, connection, outcome);
                LogAccepted(logger, read.Mapped.Count + read.Unmapped.Count, connection, added.Count, read.Mapped.Count - added.Count, read.Unmapped.Count);
                var answer = new HubSpotWebhookAnswer(outcome, added.Count, read.Mapped.Count - added.Count, read.Unmapped.Count);
                return read.Mapped.Count == 0 ? Results.Accepted(value: answer) : Results.Ok(answer);
            default:
                throw new InvalidOperationException("Unexpected reading.");
        }

        Task ParkAsync(byte[] parkedBody, IReadOnlyList<long>? eventIds, string? eventName, string reason)
        {
            LogParked(logger, connection, reason);
            return store.ParkAsync(new ParkedWebhook(0, Source, connection, HubSpotWebhookEvents.DeliveryKey(parkedBody, eventIds), eventName, reason, kept, parkedBody, receivedUtc, null), ct);
        }

        IResult Reject(int status, string reason, string title, string detail)
        {
            metrics.Rejected(Source, knownConnection, reason);
            LogRejected(logger, knownConnection, status, reason);
            return Results.Problem(detail, statusCode: status, title: title, type: $"urn:hub:webhook:{reason}");
        }
    }

    /// <summary>
    /// An operator's replay of a parked HubSpot delivery: today's code reads it — with no cap on the number of events,
    /// so an oversized delivery is taken whole — and the events it maps go to the inbox like a live delivery's (their
    /// eventIds still drop repeats). None mapped: 409, and it stays parked.
    /// </summary>
    internal static async Task<IResult> ReplayAsync(
        ParkedWebhook parked, WebhookStore store, HubSpotWebhookInbox inbox, HubSpotWebhookResolver resolver, WebhookMetrics metrics,
        TimeProvider clock, CancellationToken ct)
    {
        if (parked.ReplayedUtc is not null)
            return Results.Ok(new HubSpotWebhookAnswer("already-replayed", 0, 0, 0));
        if (HubSpotWebhookEvents.Read(parked.Body, int.MaxValue) is not HubSpotWebhookEvents.Events { Mapped.Count: > 0 } read)
        {
            return Results.Problem("This code still cannot map any event of the delivery. It stays parked.",
                statusCode: 409, title: "Still unmappable", type: "urn:hub:webhook:still-unmappable");
        }

        var added = await inbox.AddAsync(parked.Connection, read.Mapped, clock.GetUtcNow(), ct);
        if (added.Count > 0)
            resolver.Wake();
        await store.MarkReplayedAsync(parked.Id, clock.GetUtcNow(), CancellationToken.None);
        metrics.Accepted(Source, parked.Connection, "replayed");
        return Results.Ok(new HubSpotWebhookAnswer("accepted", added.Count, read.Mapped.Count - added.Count, read.Unmapped.Count));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "HubSpot webhook for {Connection} refused with {Status}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string connection, int status, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "HubSpot webhook of {Events} events for {Connection}: {New} new, {Repeats} repeats, {Parked} parked")]
    private static partial void LogAccepted(ILogger logger, int events, string connection, int @new, int repeats, int parked);

    // changeSource and sourceId say who made the change (CRM_UI, INTEGRATION with our app id): the echo detector's
    // input, kept here and in the inbox, not in the record's data, so a webhook and a poll of one version stay equal.
    [LoggerMessage(Level = LogLevel.Debug, Message = "HubSpot event {EventId} {SubscriptionType} of {ObjectId} (attempt {AttemptNumber}) from {ChangeSource} {SourceId} for {Connection}; new: {New}")]
    private static partial void LogEvent(ILogger logger, long eventId, string subscriptionType, string objectId, int attemptNumber, string? changeSource, string? sourceId, string connection, bool @new);

    [LoggerMessage(Level = LogLevel.Warning, Message = "HubSpot webhook for {Connection} parked: {Reason}")]
    private static partial void LogParked(ILogger logger, string connection, string reason);
}

/// <summary>The body of a 2xx answer: events new to the hub, repeats of ones it has, and events parked as unmappable.</summary>
public sealed record HubSpotWebhookAnswer(string Status, int New, int Repeats, int Parked);

/// <summary>
/// What the receiver reads of <c>HubSpot:Connections:{name}</c> on each request (so a rotated app secret takes
/// effect when configuration reloads): <see cref="HubSpotConnection"/>'s <c>TwoWay</c> and <c>AppSecret</c>, and
/// <c>WebhookUrl</c>, the target URL as configured in the HubSpot app — what HubSpot signs when a proxy in front of
/// Ingest changes scheme, host or path. Unset: the URL of the request as it reaches Ingest.
/// </summary>
public sealed record HubSpotWebhookConnection(string Name, string AppSecret, Uri? WebhookUrl)
{
    public const string WebhookUrlKey = "WebhookUrl";

    /// <summary>Throws at start-up on a <c>WebhookUrl</c> that is not an absolute http(s) URL: every delivery would fail its signature.</summary>
    public static void Validate(IConfiguration configuration)
    {
        var problems = configuration.GetSection(HubSpotConnection.Section).GetChildren()
            .Where(c => c[WebhookUrlKey] is { Length: > 0 } url && !(Uri.TryCreate(url, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https"))
            .Select(c => $"{HubSpotConnection.Section}:{c.Key}:{WebhookUrlKey} must be an absolute http(s) URL: the target URL as configured in the HubSpot app.")
            .ToList();
        if (problems.Count > 0)
            throw new InvalidOperationException(string.Join(Environment.NewLine, problems));
    }

    public static HubSpotWebhookConnection? Find(IConfiguration configuration, string name)
    {
        var section = configuration.GetSection(HubSpotConnection.Section).GetChildren()
            .FirstOrDefault(c => string.Equals(c.Key, name, StringComparison.OrdinalIgnoreCase));
        if (section is null || !section.GetValue<bool>(nameof(HubSpotConnection.TwoWay)) || section[nameof(HubSpotConnection.AppSecret)] is not { Length: > 0 } secret)
            return null;
        var url = section[WebhookUrlKey] is { Length: > 0 } configured && Uri.TryCreate(configured, UriKind.Absolute, out var parsed) ? parsed : null;
        return new HubSpotWebhookConnection(section.Key, secret, url);
    }
}
