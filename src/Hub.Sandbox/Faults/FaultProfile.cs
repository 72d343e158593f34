namespace Hub.Sandbox.Faults;

/// <summary>
/// Which faults the sandbox injects right now. Immutable: the admin surface swaps in a new profile, so a request
/// sees one consistent set of faults. All shares are 0..1.
/// </summary>
public sealed record FaultProfile
{
    public static readonly FaultProfile None = new();

    /// <summary>Added to every API response.</summary>
    public TimeSpan Latency { get; init; }

    /// <summary>Share of API requests answered 500/502/503 instead of being served.</summary>
    public double ServerErrorShare { get; init; }

    /// <summary>Share of API requests answered 429 with Retry-After, regardless of the real rate limit.</summary>
    public double TooManyRequestsShare { get; init; }

    /// <summary>Share of API responses whose connection is dropped after part of the body was sent.</summary>
    public double DropConnectionShare { get; init; }

    /// <summary>Share of webhook deliveries sent twice (same webhook-id).</summary>
    public double WebhookDuplicateShare { get; init; }

    /// <summary>When on, webhook deliveries are held back and sent in shuffled order.</summary>
    public bool WebhookOutOfOrder { get; init; }

    /// <summary>Added to the sandbox clock, so every timestamp handed out is shifted.</summary>
    public TimeSpan ClockSkew { get; init; }
}
