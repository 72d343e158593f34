using Microsoft.Extensions.Options;

namespace Hub.Sandbox.HubSpot;

/// <summary>
/// The limits and delays in force now: configuration at start and on reset, changeable at runtime through the
/// control surface (<c>PUT {admin}/hubspot/settings</c>) so one sandbox can serve a rate-limited test and a benchmark.
/// Immutable; swapped whole. <see cref="SearchResultCap"/> is optional there (HubSpot's 10,000 when left out).
/// </summary>
public sealed record HubSpotLimits(
    bool RateLimitsEnabled,
    int BurstLimit,
    int BurstWindowSeconds,
    int DailyLimit,
    int SearchLimitPerSecond,
    int SearchVisibilityDelayMs,
    int SearchResultCap = 10_000)
{
    public TimeSpan BurstWindow => TimeSpan.FromSeconds(BurstWindowSeconds);

    public TimeSpan SearchVisibilityDelay => TimeSpan.FromMilliseconds(SearchVisibilityDelayMs);

    public static HubSpotLimits From(HubSpotOptions o) =>
        new(o.RateLimitsEnabled, o.BurstLimit, o.BurstWindowSeconds, o.DailyLimit, o.SearchLimitPerSecond, o.SearchVisibilityDelayMs, o.SearchResultCap);

    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (BurstLimit < 1)
            errors["burstLimit"] = ["burstLimit must be at least 1."];
        if (BurstWindowSeconds < 1)
            errors["burstWindowSeconds"] = ["burstWindowSeconds must be at least 1."];
        if (DailyLimit < 1)
            errors["dailyLimit"] = ["dailyLimit must be at least 1."];
        if (SearchLimitPerSecond < 1)
            errors["searchLimitPerSecond"] = ["searchLimitPerSecond must be at least 1."];
        if (SearchVisibilityDelayMs < 0)
            errors["searchVisibilityDelayMs"] = ["searchVisibilityDelayMs must not be negative."];
        if (SearchResultCap < 1)
            errors["searchResultCap"] = ["searchResultCap must be at least 1."];
        return errors;
    }
}

public sealed class HubSpotSettings(IOptions<HubSpotOptions> options)
{
    private HubSpotLimits _limits = HubSpotLimits.From(options.Value);

    public HubSpotLimits Limits
    {
        get => Volatile.Read(ref _limits);
        set => Volatile.Write(ref _limits, value);
    }

    public void Reset() => Limits = HubSpotLimits.From(options.Value);
}
