using Hub.Contracts.Observations;
using MassTransit;

namespace Hub.Ingest.Webhooks;

/// <summary>
/// The one way a mapped delivery leaves Ingest, for a live receipt and for an operator's replay alike: send the
/// <see cref="RecordsObserved"/> to <c>queue:hub-observations</c> and wait for the broker's confirm, then record the
/// webhook id as sent. A crash between the two sends again on the sender's retry; the store drops the repeat by its
/// observation id (ADR 0016).
/// </summary>
public static class WebhookHandOff
{
    /// <summary>The durable queue Projections reads; sending to it declares it, so nothing is lost before Projections starts.</summary>
    public static readonly Uri ObservationQueue = new("queue:hub-observations");

    public static string ObservationId(string connection, string webhookId) => $"webhook:{connection}:{webhookId}";

    public static async Task<RecordsObserved> SendAsync(
        ISendEndpointProvider sendEndpoints, WebhookStore store, TimeProvider clock,
        string source, string connection, string webhookId, WebhookReading.Observed reading, DateTimeOffset receivedUtc,
        CancellationToken ct)
    {
        var message = new RecordsObserved(
            ObservationId(connection, webhookId), source, connection, reading.Resource, "webhook", receivedUtc, reading.Records);
        var endpoint = await sendEndpoints.GetSendEndpoint(ObservationQueue);
        await endpoint.Send(message, ct);

        // Confirmed by the broker: record it even if the sender hung up meanwhile, so its retry is not sent again.
        await store.MarkSentAsync(connection, webhookId, clock.GetUtcNow(), CancellationToken.None);
        return message;
    }
}
