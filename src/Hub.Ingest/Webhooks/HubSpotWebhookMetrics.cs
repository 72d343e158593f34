using System.Diagnostics.Metrics;

namespace Hub.Ingest.Webhooks;

/// <summary>
/// On the <c>Hub.Ingest</c> meter, beside <see cref="WebhookMetrics"/>' deliveries and rejections:
/// <c>hub.ingest.webhook.hubspot.events</c> by subscription type, <c>change_source</c> (CRM_UI, INTEGRATION, … — what
/// echo detection needs, kept out of the records' data) and outcome (new, repeat, parked);
/// <c>hub.ingest.webhook.hubspot.resolved</c> (records sent) and <c>hub.ingest.webhook.hubspot.resolve_failures</c>.
/// </summary>
public sealed class HubSpotWebhookMetrics(IngestMetrics ingest)
{
    public const string EventsName = "hub.ingest.webhook.hubspot.events";
    public const string ResolvedName = "hub.ingest.webhook.hubspot.resolved";
    public const string FailuresName = "hub.ingest.webhook.hubspot.resolve_failures";

    private readonly Counter<long> _events = ingest.Meter.CreateCounter<long>(EventsName, "{event}", "HubSpot webhook events accepted, by type, change source and outcome.");
    private readonly Counter<long> _resolved = ingest.Meter.CreateCounter<long>(ResolvedName, "{record}", "Records sent from resolved HubSpot webhook events.");
    private readonly Counter<long> _failures = ingest.Meter.CreateCounter<long>(FailuresName, "{attempt}", "Attempts to resolve HubSpot webhook events that failed (retried later).");

    public void Event(string connection, string subscriptionType, string? changeSource, string outcome) =>
        _events.Add(1, new("connection", connection), new("subscription_type", subscriptionType), new("change_source", changeSource ?? "unknown"), new("outcome", outcome));

    public void Resolved(string connection, string resource, int records) =>
        _resolved.Add(records, new("connection", connection), new("resource", resource));

    public void ResolveFailed(string connection) => _failures.Add(1, new KeyValuePair<string, object?>("connection", connection));
}
