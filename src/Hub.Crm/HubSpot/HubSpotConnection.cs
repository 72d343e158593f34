using Hub.ServiceDefaults.Budget;

namespace Hub.Crm.HubSpot;

/// <summary>
/// One configured HubSpot account (<c>HubSpot:Connections:{name}</c>): where it is, the private-app token, and the
/// burst budget its token has. The token is never logged: it is only ever written into the Authorization header.
/// </summary>
public sealed class HubSpotConnection
{
    public const string Section = "HubSpot:Connections";

    /// <summary>The key under <c>HubSpot:Connections</c>.</summary>
    public string Name { get; set; } = "";

    public Uri BaseUrl { get; set; } = new("https://api.hubapi.com");

    /// <summary>Private-app (or OAuth) access token, sent as a bearer token.</summary>
    public string AccessToken { get; set; } = "";

    /// <summary>The app's client secret, which signs webhook deliveries (signature v3); not used by the client.</summary>
    public string? AppSecret { get; set; }

    /// <summary>
    /// Two-way sync with this portal (ADR 0021): Hub.Ingest watches it (search polling and webhooks) into
    /// <c>hubspot-*</c> streams, and Hub.Projections settles each change against Propstreet and writes the winners back.
    /// Off (the default): the hub only pushes.
    /// </summary>
    public bool TwoWay { get; set; }

    /// <summary>How often a two-way portal is searched for changes (webhooks bring them sooner when configured).</summary>
    public TimeSpan InboundPollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How far behind its checkpoint each search starts: search is eventually consistent, so a record changed just
    /// before the last search may only become findable after it (HubSpot: seconds).
    /// </summary>
    public TimeSpan InboundLookBack { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often every deal's contact and company associations of a two-way portal are read (0 = never): a label
    /// changed in HubSpot does not touch the deal's last-modified date, so only a webhook or this sweep sees it.
    /// </summary>
    public TimeSpan InboundAssociationSweep { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Requests per <see cref="BurstWindowSeconds"/> for this token, shared by every process (HubSpot: 100 per 10 s, 190 on Pro/Enterprise).</summary>
    public int BurstLimit { get; set; } = 100;

    public int BurstWindowSeconds { get; set; } = 10;

    /// <summary>Search requests per second for this token across every process (HubSpot: 5, its SECONDLY policy; search also counts against the burst).</summary>
    public int SearchLimitPerSecond { get; set; } = 4;

    /// <summary>How long one attempt may take before it counts as timed out.</summary>
    public double RequestTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// Batch requests of one call in flight at once (a page's upserts, reads, archives, associations). Each still takes
    /// from the burst budget, which bounds the rate; this bounds how long a page waits on HubSpot's round trips.
    /// </summary>
    public int ConcurrentBatches { get; set; } = 4;

    /// <summary>Attempts per request when HubSpot fails transiently (5xx, timeout, dropped connection); 429s are counted apart.</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>429s (TEN_SECONDLY_ROLLING) one request may meet before it gives up; each waits the burst window.</summary>
    public int MaxRateLimitedAttempts { get; set; } = 20;

    /// <summary>Back-off base: retry n waits anywhere in [0, base × 2^n] (full jitter), at most 30 s.</summary>
    public double RetryBaseDelaySeconds { get; set; } = 1;

    /// <summary>The custom object that holds listings: <c>listings</c>, <c>p{portalId}_listings</c> or an objectTypeId like <c>2-…</c>.</summary>
    public string ListingsObjectType { get; set; } = "listings";

    public TimeSpan BurstWindow => TimeSpan.FromSeconds(BurstWindowSeconds);

    public TimeSpan RequestTimeout => TimeSpan.FromSeconds(RequestTimeoutSeconds);

    public TimeSpan RetryBaseDelay => TimeSpan.FromSeconds(RetryBaseDelaySeconds);

    /// <summary>Connections sharing a token (and base URL) share one budget; the key holds a hash, never the token.</summary>
    public string BudgetKey => RequestBudget.KeyFor("hubspot", $"{BaseUrl}|{AccessToken}");

    public string SearchBudgetKey => RequestBudget.KeyFor("hubspot-search", $"{BaseUrl}|{AccessToken}");

    public IEnumerable<string> Validate()
    {
        if (!BaseUrl.IsAbsoluteUri)
            yield return "BaseUrl must be an absolute URL.";
        if (string.IsNullOrWhiteSpace(AccessToken))
            yield return "AccessToken is required.";
        if (BurstLimit <= 0 || BurstWindowSeconds <= 0 || SearchLimitPerSecond <= 0)
            yield return "BurstLimit, BurstWindowSeconds and SearchLimitPerSecond must be positive.";
        if (RequestTimeoutSeconds <= 0 || MaxAttempts <= 0 || MaxRateLimitedAttempts <= 0 || RetryBaseDelaySeconds < 0)
            yield return "RequestTimeoutSeconds, MaxAttempts and MaxRateLimitedAttempts must be positive; RetryBaseDelaySeconds not negative.";
        if (ConcurrentBatches is < 1 or > 32)
            yield return "ConcurrentBatches must be between 1 and 32.";
        if (string.IsNullOrWhiteSpace(ListingsObjectType))
            yield return "ListingsObjectType must not be empty.";
    }
}
