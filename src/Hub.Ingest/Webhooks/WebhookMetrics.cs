using System.Diagnostics.Metrics;

namespace Hub.Ingest.Webhooks;

/// <summary>
/// Meter <c>Hub.Ingest</c>: <c>hub.ingest.webhook.rejections</c> by reason (bad-signature, stale-timestamp, …) and
/// <c>hub.ingest.webhook.deliveries</c> by outcome (observed, duplicate, parked). Tags carry source and connection
/// names only, never ids, secrets or record fields.
/// </summary>
public sealed class WebhookMetrics
{
    public const string MeterName = "Hub.Ingest";
    public const string RejectionsName = "hub.ingest.webhook.rejections";
    public const string DeliveriesName = "hub.ingest.webhook.deliveries";

    private readonly Counter<long> _rejections;
    private readonly Counter<long> _deliveries;

    public WebhookMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _rejections = meter.CreateCounter<long>(RejectionsName, "{delivery}", "Webhook deliveries refused, by reason.");
        _deliveries = meter.CreateCounter<long>(DeliveriesName, "{delivery}", "Webhook deliveries accepted, by outcome.");
    }

    public void Rejected(string source, string connection, string reason) =>
        _rejections.Add(1, new("source", source), new("connection", connection), new("reason", reason));

    public void Accepted(string source, string connection, string outcome) =>
        _deliveries.Add(1, new("source", source), new("connection", connection), new("outcome", outcome));
}
