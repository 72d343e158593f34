using System.Threading.Channels;
using Hub.Sandbox.HubSpot.Associations;
using Hub.Sandbox.HubSpot.Objects;
using Hub.Sandbox.HubSpot.Schema;
using Microsoft.Extensions.Options;

namespace Hub.Sandbox.HubSpot.Webhooks;

/// <summary>
/// Turns committed changes into events for the subscriptions in force and queues them for
/// <see cref="WebhookDispatcher"/>. A creation also fires a property change for each property it set (as HubSpot
/// does for subscribed properties); a cleared property's change carries an empty <c>propertyValue</c>.
/// </summary>
public sealed class WebhookEvents(IOptions<HubSpotOptions> options)
{
    private const long FirstSubscriptionId = 4_000_001;

    private readonly Channel<WebhookEvent> _queue = Channel.CreateUnbounded<WebhookEvent>(new UnboundedChannelOptions { SingleReader = true });
    private WebhookSettings _settings = FromOptions(options.Value.Webhooks);
    private long _nextEventId = 100_000;
    private int _generation;

    public ChannelReader<WebhookEvent> Queue => _queue.Reader;

    /// <summary>Bumped by a reset, so deliveries queued or retrying before it are dropped.</summary>
    public int Generation => Volatile.Read(ref _generation);

    public WebhookSettings Settings
    {
        get => Volatile.Read(ref _settings);
        set => Volatile.Write(ref _settings, value);
    }

    public static WebhookSettings FromOptions(HubSpotWebhookOptions o) =>
        new(o.TargetUrl, [.. o.Subscriptions.Select((s, i) => new WebhookSubscription(FirstSubscriptionId + i, s.SubscriptionType, s.PropertyName, s.Active))]);

    public static WebhookSettings Renumbered(Uri? targetUrl, IEnumerable<(string Type, string? Property, bool Active)> subscriptions) =>
        new(targetUrl, [.. subscriptions.Select((s, i) => new WebhookSubscription(FirstSubscriptionId + i, s.Type, s.Property, s.Active))]);

    public void Reset()
    {
        Interlocked.Increment(ref _generation);
        Settings = FromOptions(options.Value.Webhooks);
    }

    public void Changed(ObjectType type, IReadOnlyList<RecordChange> changes, ChangeSource source, DateTimeOffset at)
    {
        var settings = Settings;
        if (settings.TargetUrl is null || settings.Subscriptions.Count == 0)
            return;
        var o = options.Value;
        var occurredAt = at.ToUnixTimeMilliseconds();
        foreach (var change in changes)
        {
            foreach (var subscription in settings.Subscriptions.Where(s => s.Active))
            {
                var parts = subscription.SubscriptionType.Split('.');
                if (parts.Length != 2 || parts[0] != type.Singular)
                    continue;
                var e = new WebhookEvent(0, subscription.Id, o.PortalId, o.AppId, occurredAt, subscription.SubscriptionType, 0, change.Id, source.Name, source.SourceId);
                foreach (var fired in Fire(parts[1], subscription, change, e))
                    _queue.Writer.TryWrite(fired with { EventId = Interlocked.Increment(ref _nextEventId) });
            }
        }
    }

    /// <summary>
    /// Types added to or removed from pairs of <paramref name="from"/> and <paramref name="to"/> records: one event per
    /// type for a <c>{from}.associationChange</c> subscription, and one per inverse type for <c>{to}.associationChange</c>.
    /// </summary>
    public void AssociationsChanged(ObjectType from, ObjectType to, IReadOnlyList<AssociationChange> changes, ChangeSource source, DateTimeOffset at)
    {
        var settings = Settings;
        if (settings.TargetUrl is null || settings.Subscriptions.Count == 0)
            return;
        var o = options.Value;
        foreach (var change in changes)
        {
            var inverse = AssociationTypes.Get(to.Name, from.Name, change.Type.InverseTypeId);
            foreach (var (side, other, fromId, toId, type) in new[] { (from, to, change.FromId, change.ToId, change.Type), (to, from, change.ToId, change.FromId, inverse) })
            {
                foreach (var subscription in settings.Subscriptions.Where(s => s.Active && s.SubscriptionType == $"{side.Singular}.associationChange"))
                {
                    _queue.Writer.TryWrite(new WebhookEvent(
                        Interlocked.Increment(ref _nextEventId), subscription.Id, o.PortalId, o.AppId, at.ToUnixTimeMilliseconds(), subscription.SubscriptionType, 0, null,
                        source.Name, source.SourceId,
                        AssociationType: $"{side.Singular.ToUpperInvariant()}_TO_{other.Singular.ToUpperInvariant()}",
                        FromObjectId: fromId, ToObjectId: toId, AssociationRemoved: change.Removed, IsPrimaryAssociation: type.IsPrimary,
                        AssociationCategory: type.Category, AssociationTypeId: type.TypeId));
                }
            }
        }
    }

    private static IEnumerable<WebhookEvent> Fire(string kind, WebhookSubscription subscription, RecordChange change, WebhookEvent e)
    {
        switch (kind, change.Kind)
        {
            case ("creation", ChangeKind.Created):
                yield return e with { ChangeFlag = "CREATED" };
                break;
            case ("deletion", ChangeKind.Archived):
                yield return e with { ChangeFlag = "DELETED" };
                break;
            case ("privacyDeletion", ChangeKind.PrivacyDeleted):
                yield return e;
                break;
            case ("merge", ChangeKind.Merged):
                yield return e with
                {
                    PrimaryObjectId = change.Id,
                    MergedObjectIds = change.MergedIds,
                    NewObjectId = change.Id,
                    NumberOfPropertiesMoved = change.ChangedProperties.Count,
                };
                break;
            case ("propertyChange", ChangeKind.Created or ChangeKind.Updated or ChangeKind.Merged):
                foreach (var name in change.ChangedProperties.Where(p => subscription.PropertyName is null || subscription.PropertyName == p))
                    yield return e with { PropertyName = name, PropertyValue = change.After?[name] ?? "" };
                break;
        }
    }
}
