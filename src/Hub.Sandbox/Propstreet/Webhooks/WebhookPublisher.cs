using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Hub.Sandbox.Propstreet.Webhooks;

/// <summary>Turns a committed change into one delivery per matching subscription and queues it for sending.</summary>
public sealed class WebhookPublisher(WebhookRegistry registry, TimeProvider clock)
{
    private readonly Channel<DeliveryJob> _queue = Channel.CreateUnbounded<DeliveryJob>(new UnboundedChannelOptions { SingleReader = true });

    public ChannelReader<DeliveryJob> Queue => _queue.Reader;

    /// <param name="eventName">e.g. <c>contact.updated</c></param>
    /// <param name="record">The record as the API serves it; <c>changeOrigin</c> and <c>changedFields</c> are added to it.</param>
    public void Publish<T>(string eventName, T record, JsonSerializerOptions options, string? changeOrigin, IReadOnlyList<string> changedFields, IReadOnlyList<ExternalRef> refs)
    {
        var subscriptions = registry.Matching(eventName, refs);
        if (subscriptions.Count == 0)
            return;
        var data = JsonSerializer.SerializeToNode(record, options)?.AsObject() ?? [];
        data["changeOrigin"] = changeOrigin;
        data["changedFields"] = new JsonArray(changedFields.Select(f => (JsonNode?)JsonValue.Create(f)).ToArray());
        var payload = new JsonObject
        {
            ["event"] = eventName,
            ["timestamp"] = clock.GetUtcNow().UtcDateTime,
            ["data"] = data,
        }.ToJsonString(PropstreetJson.WithNulls);
        foreach (var subscription in subscriptions)
            Enqueue(new DeliveryJob(registry.AddDelivery(subscription, eventName, payload), 1, "event"));
    }

    public void Enqueue(DeliveryJob job) => _queue.Writer.TryWrite(job);
}

/// <summary>One attempt to send; <see cref="AttemptInCycle"/> restarts at 1 on a manual redelivery.</summary>
public sealed record DeliveryJob(Delivery Delivery, int AttemptInCycle, string Trigger);
