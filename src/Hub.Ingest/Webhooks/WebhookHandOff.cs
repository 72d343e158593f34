using Hub.Contracts.Observations;
using Hub.Ingest.Observations;

namespace Hub.Ingest.Webhooks;

/// <summary>
/// The one way a mapped delivery leaves Ingest, for a live receipt and for an operator's replay alike: send the
/// <see cref="RecordsObserved"/> through the pollers' <see cref="ObservationSender"/> (to <c>hub-observations</c>,
/// declared at start-up, quorum or not) and wait for the broker's confirm, then record the webhook id as sent. A crash
/// between the two sends again on the sender's retry; the store drops the repeat by its observation id (ADR 0016).
/// </summary>
public static class WebhookHandOff
{
    public static string ObservationId(string connection, string webhookId) => $"webhook:{connection}:{webhookId}";

    public static async Task<RecordsObserved> SendAsync(
        ObservationSender sender, WebhookStore store, TimeProvider clock,
        string source, string connection, string webhookId, WebhookReading.Observed reading, DateTimeOffset receivedUtc,
        CancellationToken ct)
    {
        var message = new RecordsObserved(
            ObservationId(connection, webhookId), source, connection, reading.Resource, "webhook", receivedUtc, reading.Records);
        await sender.SendAsync(message, ct);

        // Confirmed by the broker: record it even if the sender hung up meanwhile, so its retry is not sent again.
        await store.MarkSentAsync(connection, webhookId, clock.GetUtcNow(), CancellationToken.None);
        return message;
    }
}
