using System.Diagnostics.Metrics;

namespace Hub.Ingest.Webhooks;

/// <summary>
/// On the <c>Hub.Ingest</c> meter (<see cref="IngestMetrics"/>): <c>hub.ingest.webhook.rejections</c> by reason
/// (bad-signature, stale-timestamp, …) and <c>hub.ingest.webhook.deliveries</c> by outcome (observed, duplicate,
/// parked, replayed). Tags carry source and connection names only, never ids, secrets or record fields.
/// </summary>
public sealed class WebhookMetrics(IngestMetrics ingest)
{
    public const string RejectionsName = "hub.ingest.webhook.rejections";
    public const string DeliveriesName = "hub.ingest.webhook.deliveries";

    private readonly Counter<long> _rejections = ingest.Meter.CreateCounter<long>(RejectionsName, "{delivery}", "Webhook deliveries refused, by reason.");
    private readonly Counter<long> _deliveries = ingest.Meter.CreateCounter<long>(DeliveriesName, "{delivery}", "Webhook deliveries accepted, by outcome.");

    public void Rejected(string source, string connection, string reason) =>
        _rejections.Add(1, new("source", source), new("connection", connection), new("reason", reason));

    public void Accepted(string source, string connection, string outcome) =>
        _deliveries.Add(1, new("source", source), new("connection", connection), new("outcome", outcome));
}
