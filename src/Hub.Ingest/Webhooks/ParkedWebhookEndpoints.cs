using System.Text.Json;
using Hub.Ingest.Observations;

namespace Hub.Ingest.Webhooks;

/// <summary>
/// <c>/admin/webhooks/parked</c> (operator token): list the deliveries parked as unmappable, show one with its headers
/// and body, and replay one once the code has learned its type — mapped by today's code, sent and confirmed like a
/// live delivery, under its original webhook id, so a repeat is still dropped. A parked HubSpot delivery goes to
/// the HubSpot inbox instead, as a live one does (<see cref="HubSpotWebhookEndpoints"/>).
/// </summary>
public static class ParkedWebhookEndpoints
{
    public static IEndpointRouteBuilder MapParkedWebhookEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin/webhooks/parked").AddEndpointFilter<OperatorToken>();
        admin.MapGet("/", ListAsync);
        admin.MapGet("/{id:long}", GetAsync);
        admin.MapPost("/{id:long}/replay", ReplayAsync);
        return app;
    }

    private static async Task<IResult> ListAsync(WebhookStore store, bool? includeReplayed, int? limit, CancellationToken ct)
    {
        var parked = await store.ListParkedAsync(includeReplayed ?? false, Math.Clamp(limit ?? 100, 1, 1000), ct);
        return Results.Ok(new { data = parked.Select(Summary) });
    }

    private static async Task<IResult> GetAsync(long id, WebhookStore store, CancellationToken ct)
    {
        if (await store.GetParkedAsync(id, ct) is not { } parked)
            return NotFound(id);

        // Parked bodies were valid JSON (malformed ones are refused), so they show as JSON.
        using var body = JsonDocument.Parse(parked.Body);
        return Results.Ok(new { summary = Summary(parked), headers = parked.Headers, body = body.RootElement.Clone() });
    }

    private static async Task<IResult> ReplayAsync(
        long id, WebhookStore store, ObservationSender sender, WebhookMetrics metrics, TimeProvider clock,
        HubSpotWebhookInbox inbox, HubSpotWebhookResolver resolver, CancellationToken ct)
    {
        if (await store.GetParkedAsync(id, ct) is not { } parked)
            return NotFound(id);
        if (parked.Source == HubSpotWebhookEndpoints.Source)
            return await HubSpotWebhookEndpoints.ReplayAsync(parked, store, inbox, resolver, metrics, clock, ct);
        var observationId = WebhookHandOff.ObservationId(parked.Connection, parked.WebhookId);
        if (parked.ReplayedUtc is not null)
            return Results.Ok(new WebhookAnswer("already-replayed", observationId));

        switch (WebhookReading.Read(parked.Source, parked.Body))
        {
            case WebhookReading.Observed observed:
                // The same webhook id may have come again and been sent after a deploy; then there is nothing to send.
                if (!await store.WasSentAsync(parked.Connection, parked.WebhookId, ct))
                {
                    await WebhookHandOff.SendAsync(sender, store, clock, parked.Source, parked.Connection, parked.WebhookId, observed, parked.ReceivedUtc, ct);
                    metrics.Accepted(parked.Source, parked.Connection, "replayed");
                }

                await store.MarkReplayedAsync(id, clock.GetUtcNow(), CancellationToken.None);
                return Results.Ok(new WebhookAnswer("observed", observationId));
            case WebhookReading.Parked still:
                return Results.Problem($"This code still cannot map the delivery: {still.Reason} It stays parked.",
                    statusCode: 409, title: "Still unmappable", type: "urn:hub:webhook:still-unmappable");
            case WebhookReading.Malformed malformed:
                return Results.Problem(malformed.Detail, statusCode: 409, title: "Unreadable parked body", type: "urn:hub:webhook:malformed-json");
            default:
                throw new InvalidOperationException("Unexpected reading.");
        }
    }

    private static object Summary(ParkedWebhook parked) => new
    {
        id = parked.Id,
        parked.Source,
        parked.Connection,
        parked.WebhookId,
        parked.Event,
        parked.Reason,
        parked.ReceivedUtc,
        parked.ReplayedUtc,
    };

    private static IResult NotFound(long id) =>
        Results.Problem($"No parked webhook delivery {id}.", statusCode: 404, title: "Not found", type: "urn:hub:admin:not-found");
}
