using System.Net;
using System.Net.Http.Headers;
using Hub.ServiceDefaults.Budget;

namespace Hub.Crm.HubSpot;

/// <summary>What one attempt came to, as far as retrying is concerned.</summary>
internal enum AttemptOutcome
{
    /// <summary>An answer to keep: 2xx, 207, or a 4xx that retrying cannot change.</summary>
    Answered,

    /// <summary>429 TEN_SECONDLY_ROLLING (or no policy named): HubSpot refused it before applying anything.</summary>
    BurstLimited,

    /// <summary>429 SECONDLY: the search endpoints' own limit per second; only this request waits a second.</summary>
    SearchLimited,

    /// <summary>429 DAILY.</summary>
    DailyLimited,

    /// <summary>5xx, 408, timeout or dropped connection: HubSpot may or may not have applied the request.</summary>
    Transient,
}

/// <summary>
/// Whether and when to try a request again; a pure decision (the random draw is passed in). A burst 429 applied
/// nothing, so any request may be sent again after the window; a transient failure may have applied the request,
/// so only idempotent ones (reads, upserts by idProperty, archives, association writes) are sent again — a batch
/// create never is. Back-off is full jitter (<see cref="RetryDelays"/>).
/// </summary>
internal static class HubSpotRetry
{
    /// <summary>The delay before the next attempt, or null to stop with the last outcome.</summary>
    public static TimeSpan? Next(AttemptOutcome outcome, bool idempotent, int transientFailures, int burstLimits, HubSpotConnection connection, double random) => outcome switch
    {
        AttemptOutcome.BurstLimited when burstLimits < connection.MaxRateLimitedAttempts => Jitter(connection.RetryBaseDelay, 0, random),
        AttemptOutcome.SearchLimited when burstLimits < connection.MaxRateLimitedAttempts => TimeSpan.FromSeconds(1) + Jitter(connection.RetryBaseDelay, 0, random),
        AttemptOutcome.Transient when idempotent && transientFailures < connection.MaxAttempts => Jitter(connection.RetryBaseDelay, transientFailures - 1, random),
        _ => null,
    };

    /// <summary>
    /// How long every process holds off after a burst 429: HubSpot's Retry-After when sent, else the window HubSpot
    /// names (<c>X-HubSpot-RateLimit-Interval-Milliseconds</c>), else the configured burst window — by then every
    /// request of the rolling window that HubSpot counted has left it.
    /// </summary>
    public static TimeSpan BurstPause(HttpResponseHeaders headers, TimeSpan configuredWindow, DateTimeOffset now)
    {
        if (headers.RetryAfter is { } retryAfter)
            return RetryAfter.Delay(retryAfter, now);
        if (headers.TryGetValues("X-HubSpot-RateLimit-Interval-Milliseconds", out var values)
            && long.TryParse(values.FirstOrDefault(), out var milliseconds) && milliseconds > 0)
            return TimeSpan.FromMilliseconds(milliseconds);
        return configuredWindow;
    }

    public static AttemptOutcome Classify(HttpStatusCode status, string? policyName) => (int)status switch
    {
        429 when policyName == "DAILY" => AttemptOutcome.DailyLimited,
        429 when policyName == "SECONDLY" => AttemptOutcome.SearchLimited,
        429 => AttemptOutcome.BurstLimited,
        408 or >= 500 => AttemptOutcome.Transient,
        _ => AttemptOutcome.Answered,
    };

    private static TimeSpan Jitter(TimeSpan baseDelay, int exponent, double random) =>
        RetryDelays.Next(Math.Max(exponent, 0), baseDelay, random, response: null, DateTimeOffset.MinValue);
}
