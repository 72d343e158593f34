namespace Hub.Sandbox.HubSpot;

/// <summary>The <c>Sandbox:HubSpot</c> configuration section.</summary>
public sealed class HubSpotOptions
{
    public const string Section = "Sandbox:HubSpot";

    /// <summary>The private-app bearer token the sandbox accepts; any other token is a 401.</summary>
    public string AccessToken { get; set; } = "sandbox-hubspot-token";

    /// <summary>Signs webhook deliveries (signature v3): the app's client secret.</summary>
    public string AppSecret { get; set; } = "sandbox-hubspot-app-secret";

    public long PortalId { get; set; } = 62515;

    public long AppId { get; set; } = 1_000_001;

    /// <summary>Off for benchmarks: no burst, daily or search limit and no rate-limit headers.</summary>
    public bool RateLimitsEnabled { get; set; } = true;

    /// <summary>Requests per token in any rolling window (HubSpot's TEN_SECONDLY_ROLLING); 100 on Free/Starter.</summary>
    public int BurstLimit { get; set; } = 100;

    public int BurstWindowSeconds { get; set; } = 10;

    /// <summary>Requests per token per UTC day (HubSpot's DAILY policy).</summary>
    public int DailyLimit { get; set; } = 250_000;

    /// <summary>Search requests per token per second (HubSpot's SECONDLY policy on the search endpoints).</summary>
    public int SearchLimitPerSecond { get; set; } = 5;

    /// <summary>How long after a write search still answers from the state before it (eventual consistency).</summary>
    public int SearchVisibilityDelayMs { get; set; } = 2_000;

    /// <summary>Results one search query reaches at most (HubSpot: 10,000); lower it to cross the cap with few records.</summary>
    public int SearchResultCap { get; set; } = 10_000;

    /// <summary>The custom object's objectTypeId; it is also addressed as <c>listings</c> and <c>p{PortalId}_listings</c>.</summary>
    public string ListingsObjectTypeId { get; set; } = "2-9001";

    /// <summary>Owners seeded at start and on reset.</summary>
    public int Owners { get; set; } = 12;

    /// <summary>Every this-many-th listing of the Property Finder generator is left out, so its leads find no listing.</summary>
    public int ListingGapEvery { get; set; } = 10;

    /// <summary>Custom properties per object type (contacts, companies, deals, listings), on top of HubSpot's standard ones.</summary>
    public Dictionary<string, List<PropertyConfig>> Properties { get; } = new(StringComparer.OrdinalIgnoreCase);

    public HubSpotWebhookOptions Webhooks { get; set; } = new();
}

/// <summary>One property of the schema: <c>Type</c> is string, number, datetime, date, bool or enumeration.</summary>
public sealed class PropertyConfig
{
    public string Name { get; set; } = "";

    public string Type { get; set; } = "string";

    /// <summary>Unique values, usable as <c>idProperty</c>; a duplicate is a 409.</summary>
    public bool Unique { get; set; }

    /// <summary>The allowed values of an enumeration.</summary>
    public List<string> Options { get; } = [];
}

/// <summary>The app's webhook settings: where events go and which ones (as in the app's Webhooks tab).</summary>
public sealed class HubSpotWebhookOptions
{
    /// <summary>Where deliveries are POSTed; none = no deliveries.</summary>
    public Uri? TargetUrl { get; set; }

    public List<WebhookSubscriptionConfig> Subscriptions { get; } = [];

    /// <summary>Events per POST, at most (HubSpot: 100).</summary>
    public int MaxEventsPerRequest { get; set; } = 100;

    /// <summary>How long events are gathered into one POST.</summary>
    public int BatchWindowMs { get; set; } = 100;

    /// <summary>POSTs in flight at once (the app's concurrency limit; HubSpot's default is 10).</summary>
    public int Concurrency { get; set; } = 10;

    /// <summary>Attempts per POST, the first included (HubSpot: up to 10 over 24 hours).</summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>Delay before the first retry; doubled for each further one.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A receiver slower than this failed the attempt (HubSpot: 5 s).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// One subscription: <c>contact.creation</c>, <c>deal.propertyChange</c> (with <c>PropertyName</c>; none = every
/// property, a sandbox convenience), <c>company.deletion</c>, <c>contact.privacyDeletion</c>, <c>contact.merge</c>, <c>deal.associationChange</c>…
/// </summary>
public sealed class WebhookSubscriptionConfig
{
    public string SubscriptionType { get; set; } = "";

    public string? PropertyName { get; set; }

    public bool Active { get; set; } = true;
}
