using Hub.Sandbox.Webhooks;

namespace Hub.Sandbox.Propstreet.Webhooks;

/// <summary>Subscriptions and their delivery history, guarded by one lock.</summary>
public sealed class WebhookRegistry(TimeProvider clock)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Subscription> _subscriptions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Delivery> _deliveries = new(StringComparer.Ordinal);
    private long _nextSubscription = 1;

    /// <summary>Bumped by a reseed, so retries queued before it are dropped.</summary>
    public int Generation { get; private set; }

    public Subscription Add(string owner, Uri url, IReadOnlyList<string> events, string? externalRefNamespace)
    {
        lock (_gate)
        {
            var subscription = new Subscription(
                $"wh_{_nextSubscription++}", owner, url, events, externalRefNamespace, StandardWebhookSigner.NewSecret(), clock.GetUtcNow().UtcDateTime);
            _subscriptions[subscription.Id] = subscription;
            return subscription;
        }
    }

    public Subscription? Get(string id)
    {
        lock (_gate)
            return _subscriptions.GetValueOrDefault(id);
    }

    public List<Subscription> OwnedBy(string owner)
    {
        lock (_gate)
            return _subscriptions.Values.Where(s => s.Owner == owner).OrderBy(s => s.CreatedUtc).ToList();
    }

    public bool Remove(string id)
    {
        lock (_gate)
            return _subscriptions.Remove(id);
    }

    public List<Subscription> Matching(string eventName, IReadOnlyList<ExternalRef> refs)
    {
        var resource = eventName[..eventName.IndexOf('.', StringComparison.Ordinal)];
        lock (_gate)
        {
            return _subscriptions.Values
                .Where(s => s.Events.Any(e => e == "*" || e == eventName || e == resource + ".*"))
                .Where(s => s.ExternalRefNamespace is null || refs.Any(r => string.Equals(r.Namespace, s.ExternalRefNamespace, StringComparison.OrdinalIgnoreCase)))
                .ToList();
        }
    }

    public Delivery AddDelivery(Subscription subscription, string eventName, string payload)
    {
        var delivery = new Delivery(
            "msg_" + Guid.NewGuid().ToString("N")[..24], subscription.Id, eventName, payload, clock.GetUtcNow().UtcDateTime, Generation);
        lock (_gate)
            _deliveries[delivery.Id] = delivery;
        return delivery;
    }

    public Delivery? GetDelivery(string id)
    {
        lock (_gate)
            return _deliveries.GetValueOrDefault(id);
    }

    public List<DeliveryView> History(string subscriptionId)
    {
        lock (_gate)
        {
            return _deliveries.Values.Where(d => d.SubscriptionId == subscriptionId)
                .OrderBy(d => d.CreatedUtc).ThenBy(d => d.Id, StringComparer.Ordinal)
                .Select(d => d.View()).ToList();
        }
    }

    /// <summary>Appends an attempt (numbered in order) and optionally moves the delivery to a new status.</summary>
    public void Record(Delivery delivery, DateTime attemptedUtc, int? statusCode, string? error, string trigger, string? status)
    {
        lock (_gate)
        {
            delivery.Attempts.Add(new DeliveryAttempt(delivery.Attempts.Count + 1, attemptedUtc, statusCode, error, trigger));
            if (status is not null)
                delivery.Status = status;
        }
    }

    public void SetStatus(Delivery delivery, string status)
    {
        lock (_gate)
            delivery.Status = status;
    }

    public void Clear()
    {
        lock (_gate)
        {
            _subscriptions.Clear();
            _deliveries.Clear();
            _nextSubscription = 1;
            Generation++;
        }
    }
}

/// <summary>A webhook subscription. <see cref="Owner"/> is the changeOrigin of the token that created it.</summary>
public sealed record Subscription(
    string Id, string Owner, Uri Url, IReadOnlyList<string> Events, string? ExternalRefNamespace, string Secret, DateTime CreatedUtc);

public static class DeliveryStatus
{
    public const string Pending = "pending";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
}

/// <summary>One message to one subscription; its id is the <c>webhook-id</c> of every attempt, retries included.</summary>
public sealed class Delivery(string id, string subscriptionId, string eventName, string payload, DateTime createdUtc, int generation)
{
    public string Id { get; } = id;

    public string SubscriptionId { get; } = subscriptionId;

    public string Event { get; } = eventName;

    public string Payload { get; } = payload;

    public DateTime CreatedUtc { get; } = createdUtc;

    public int Generation { get; } = generation;

    // Mutated only under the registry's lock.
    internal List<DeliveryAttempt> Attempts { get; } = [];

    internal string Status { get; set; } = DeliveryStatus.Pending;

    internal DeliveryView View() => new(Id, SubscriptionId, Event, Status, CreatedUtc, Attempts.ToList());
}

public sealed record DeliveryAttempt(int Number, DateTime AttemptedUtc, int? StatusCode, string? Error, string Trigger);

public sealed record DeliveryView(
    string Id, string SubscriptionId, string Event, string Status, DateTime CreatedUtc, IReadOnlyList<DeliveryAttempt> Attempts);
