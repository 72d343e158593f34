namespace Hub.EventStore.Subscriptions;

public sealed class SubscriptionOptions
{
    public int BatchSize { get; set; } = 500;

    /// <summary>Fallback when no notification arrives (e.g. events held back by an older open transaction).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a standby instance tries to take leadership.</summary>
    public TimeSpan LeadershipRetryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Warn (naming the blocking backend) when committed events stay unreadable this long because an older
    /// transaction is still open (ADR 0002).
    /// </summary>
    public TimeSpan StallWarningAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Pause after a failure (lost connection, handler error) before starting over from the checkpoint.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);
}
