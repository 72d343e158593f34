using Hub.Sandbox.Propstreet.Access;

namespace Hub.Sandbox.Propstreet;

/// <summary>The <c>Sandbox:Propstreet</c> configuration section.</summary>
public sealed class PropstreetOptions
{
    public const string Section = "Sandbox:Propstreet";

    /// <summary>
    /// When empty (the default) any non-empty bearer token is accepted and each distinct token is its own API
    /// client. When set, only these tokens are accepted.
    /// </summary>
    public IList<string> Tokens { get; } = [];

    /// <summary>Requests per minute per token; 0 turns the limit off. Production allows 600.</summary>
    public int RateLimitPerMinute { get; set; } = 600;

    /// <summary>Sliding (default: no 60 s span exceeds the limit) or fixed one-minute windows.</summary>
    public RateLimitWindow RateLimitWindow { get; set; } = RateLimitWindow.Sliding;

    /// <summary>
    /// An upsert that changes nothing still bumps updatedUtc and the ETag and sends <c>contact.updated</c> (default
    /// true: the hard case for echo suppression). False: such an upsert answers the contact as it is, silently.
    /// </summary>
    public bool NoOpUpsertTouches { get; set; } = true;

    /// <summary>
    /// Upsert with <c>match=email</c> onto a contact that already has a ref in the same namespace: true (default)
    /// replaces that ref silently, as the sandbox always did and the docs do not rule out; false refuses with 409.
    /// </summary>
    public bool MatchEmailReplacesRef { get; set; } = true;

    /// <summary>Delay before the first webhook retry; each further retry doubles it.</summary>
    public TimeSpan WebhookRetryBaseDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Attempts per delivery (first try included) before it is marked failed.</summary>
    public int WebhookMaxAttempts { get; set; } = 6;

    /// <summary>Timeout of one webhook POST.</summary>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
