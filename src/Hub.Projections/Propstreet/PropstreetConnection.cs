using Hub.ServiceDefaults.Budget;

namespace Hub.Projections.Propstreet;

/// <summary>
/// One Propstreet account the hub writes back to (<c>Propstreet:Connections:{name}</c>): where it is, the API token,
/// and the request budget the token has. The token is never logged: it is only ever written into the Authorization
/// header. Configure the same BaseUrl and Token as the Ingest connection that polls the account, so reads and writes
/// share one budget (<see cref="BudgetKey"/>).
/// </summary>
public sealed class PropstreetConnection
{
    public const string Section = "Propstreet:Connections";

    /// <summary>The key under <c>Propstreet:Connections</c>.</summary>
    public string Name { get; set; } = "";

    public Uri? BaseUrl { get; set; }

    /// <summary>Propstreet API token (bearer). Its writes carry the token's own <c>changeOrigin</c>.</summary>
    public string Token { get; set; } = "";

    /// <summary>Requests per <see cref="BudgetWindow"/> for this token, shared with Ingest's polling of it (Propstreet: 600 a minute).</summary>
    public int RequestsPerMinute { get; set; } = 600;

    /// <summary>The budget's sliding window (60 s for the documented 600/min).</summary>
    public TimeSpan BudgetWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long one attempt may take before it counts as timed out (and may have been applied).</summary>
    public double RequestTimeoutSeconds { get; set; } = 30;

    /// <summary>Attempts per write when Propstreet fails transiently (5xx, 408, timeout, dropped connection); 429s are counted apart.</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>429s one write may meet before it gives up; each waits its Retry-After.</summary>
    public int MaxRateLimitedAttempts { get; set; } = 10;

    /// <summary>Back-off base: retry n waits anywhere in [0, base × 2^n] (full jitter), at most 30 s.</summary>
    public double RetryBaseDelaySeconds { get; set; } = 1;

    public TimeSpan RequestTimeout => TimeSpan.FromSeconds(RequestTimeoutSeconds);

    public TimeSpan RetryBaseDelay => TimeSpan.FromSeconds(RetryBaseDelaySeconds);

    /// <summary>
    /// The shared budget's key, built exactly as Ingest's <c>SourceConnection.BudgetKey</c> builds it for a Propstreet
    /// connection (source <c>propstreet</c>, the base URL as a <see cref="Uri"/> prints it, the token): the poller's
    /// reads and these writes are one budget per token. A hash: the token is never stored.
    /// </summary>
    public string BudgetKey => RequestBudget.KeyFor("propstreet", $"{BaseUrl}|{Token}");

    public IEnumerable<string> Validate()
    {
        if (BaseUrl is not { IsAbsoluteUri: true } || BaseUrl.Scheme is not ("http" or "https"))
            yield return "BaseUrl must be an absolute http(s) URL (e.g. https://app.propstreet.com/).";
        if (string.IsNullOrWhiteSpace(Token))
            yield return "Token (the Propstreet API token) is required.";
        if (RequestsPerMinute <= 0 || BudgetWindow <= TimeSpan.Zero)
            yield return "RequestsPerMinute and BudgetWindow must be positive.";
        if (RequestTimeoutSeconds <= 0 || MaxAttempts <= 0 || MaxRateLimitedAttempts <= 0)
            yield return "RequestTimeoutSeconds, MaxAttempts and MaxRateLimitedAttempts must be positive.";
        if (RetryBaseDelaySeconds < 0)
            yield return "RetryBaseDelaySeconds must not be negative.";
    }
}
