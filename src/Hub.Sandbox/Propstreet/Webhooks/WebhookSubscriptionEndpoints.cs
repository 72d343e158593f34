using System.Text.Json.Serialization;
using Hub.Sandbox.Propstreet.Access;
using Hub.Sandbox.Propstreet.Idempotency;

namespace Hub.Sandbox.Propstreet.Webhooks;

/// <summary>
/// Subscriptions and delivery history. The docs show only <c>POST /api/v1/webhooks</c>; the rest (list, get, delete,
/// <c>/{id}/deliveries</c>, <c>/{id}/deliveries/{deliveryId}/redeliver</c>) is this sandbox's choice (ADR 0006).
/// Subscriptions belong to the token that created it, so integrations sharing a sandbox do not see each other's.
/// </summary>
public static class WebhookSubscriptionEndpoints
{
    private static readonly HashSet<string> Resources = ["contact", "company", "project", "prospect"];
    private static readonly HashSet<string> Changes = ["created", "updated", "deleted", "*"];

    public static void MapWebhookSubscriptionEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/webhooks");

        // A creating POST like the others, so Idempotency-Key applies: a retried subscribe must not double every event.
        group.MapPost("/", async (HttpContext http, WebhookRegistry registry, IdempotencyStore idempotency, CancellationToken ct) =>
        {
            var (raw, body, problem) = await PropstreetJson.ReadObjectAsync(http.Request, ct);
            if (problem is not null)
                return problem;
            if (!PropstreetJson.TryBind<SubscriptionRequest>(body!, out var request, out problem))
                return problem!;
            if (Validate(request!) is { } error)
                return Problems.BadRequest(error);
            var ns = request!.Filter?.GetValueOrDefault("externalRef.namespace") is { } value && !string.IsNullOrWhiteSpace(value)
                ? value.Trim().ToLowerInvariant()
                : null;
            var client = ApiClient.From(http);
            return idempotency.Run(http, client.Token, raw, () =>
            {
                var subscription = registry.Add(client.ChangeOrigin, new Uri(request.Url!), request.Events!.Distinct().ToList(), ns);
                return StoredResponse.Of(201, SubscriptionResponse.From(subscription, includeSecret: true), PropstreetJson.WithNulls, $"/api/v1/webhooks/{subscription.Id}");
            });
        });

        group.MapGet("/", (HttpContext http, WebhookRegistry registry) =>
            Results.Ok(new { data = registry.OwnedBy(ApiClient.From(http).ChangeOrigin).Select(s => SubscriptionResponse.From(s, includeSecret: false)) }));

        group.MapGet("/{id}", (string id, HttpContext http, WebhookRegistry registry) =>
            Owned(registry, id, http) is { } s ? Results.Ok(SubscriptionResponse.From(s, includeSecret: false)) : NotFound(id));

        group.MapDelete("/{id}", (string id, HttpContext http, WebhookRegistry registry) =>
            Owned(registry, id, http) is not null && registry.Remove(id) ? Results.NoContent() : NotFound(id));

        group.MapGet("/{id}/deliveries", (string id, HttpContext http, WebhookRegistry registry) =>
            Owned(registry, id, http) is not null ? Results.Ok(new { data = registry.History(id) }) : NotFound(id));

        group.MapPost("/{id}/deliveries/{deliveryId}/redeliver", (string id, string deliveryId, HttpContext http, WebhookRegistry registry, WebhookPublisher publisher) =>
        {
            if (Owned(registry, id, http) is null || registry.GetDelivery(deliveryId) is not { } delivery || delivery.SubscriptionId != id)
                return Problems.NotFound($"No delivery {deliveryId} for webhook {id}.");
            // Same webhook-id as the original, so a receiver that already processed it can deduplicate.
            registry.SetStatus(delivery, DeliveryStatus.Pending);
            publisher.Enqueue(new DeliveryJob(delivery, 1, "redeliver"));
            return Results.Accepted($"/api/v1/webhooks/{id}/deliveries", delivery.View());
        });
    }

    private static string? Validate(SubscriptionRequest request)
    {
        if (request.Url is not { } url || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            return "url must be an absolute http(s) URL.";
        if (request.Events is not { Count: > 0 } events)
            return "events must list at least one event, e.g. contact.updated.";
        foreach (var e in events)
        {
            var parts = e?.Split('.') ?? [];
            if (e != "*" && (parts.Length != 2 || !Resources.Contains(parts[0]) || !Changes.Contains(parts[1])))
                return $"Unknown event '{e}'. Use <resource>.<created|updated|deleted|*> with resource contact, company, project or prospect, or *.";
        }

        return null;
    }

    private static Subscription? Owned(WebhookRegistry registry, string id, HttpContext http) =>
        registry.Get(id) is { } s && s.Owner == ApiClient.From(http).ChangeOrigin ? s : null;

    private static IResult NotFound(string id) => Problems.NotFound($"No webhook subscription {id}.");

    public sealed record SubscriptionRequest(string? Url, IReadOnlyList<string>? Events, IReadOnlyDictionary<string, string>? Filter);

    public sealed record SubscriptionResponse(
        string Id,
        string Url,
        IReadOnlyList<string> Events,
        IReadOnlyDictionary<string, string>? Filter,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Secret,
        DateTime CreatedUtc)
    {
        /// <summary>The signing secret is returned once, on creation.</summary>
        public static SubscriptionResponse From(Subscription s, bool includeSecret) => new(
            s.Id,
            s.Url.ToString(),
            s.Events,
            s.ExternalRefNamespace is { } ns ? new Dictionary<string, string> { ["externalRef.namespace"] = ns } : null,
            includeSecret ? s.Secret : null,
            s.CreatedUtc);
    }
}
