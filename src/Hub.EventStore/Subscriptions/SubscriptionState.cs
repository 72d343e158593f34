namespace Hub.EventStore.Subscriptions;

public enum SubscriptionState
{
    Stopped,

    /// <summary>Another process holds the subscription's lock; this one retries until it can take over.</summary>
    Standby,

    Leading,
}
