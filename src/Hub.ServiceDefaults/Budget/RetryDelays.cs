using System.Net;

namespace Hub.ServiceDefaults.Budget;

/// <summary>
/// How long the HTTP pipeline waits before retry <c>attempt</c> (0-based): a 429/503's <c>Retry-After</c> when it
/// sent one, else exponential back-off with full jitter — uniformly anywhere in [0, base × 2^attempt] — so pollers
/// of many pods that failed together do not retry together.
/// </summary>
public static class RetryDelays
{
    private static readonly TimeSpan Ceiling = TimeSpan.FromSeconds(30);

    public static TimeSpan Next(int attempt, TimeSpan baseDelay, double random, HttpResponseMessage? response, DateTimeOffset now)
    {
        if (response is { StatusCode: HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable, Headers.RetryAfter: { } retryAfter })
            return RetryAfter.Delay(retryAfter, now);

        var cap = Math.Min(baseDelay.TotalMilliseconds * Math.Pow(2, attempt), Ceiling.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(random * cap);
    }
}
