using System.Globalization;
using Hub.Sandbox.HubSpot.Control;
using Microsoft.Extensions.Options;

namespace Hub.Sandbox.HubSpot.RateLimits;

/// <summary>
/// In front of everything under <c>/crm</c>, before fault injection (so a faulted request still counts, as it would
/// at HubSpot): the private-app bearer token (401 otherwise), the request counters, the rate limits with their 429
/// bodies, and the <c>X-HubSpot-RateLimit-*</c> headers on every response but search's (HubSpot sends none there).
/// </summary>
public sealed class HubSpotGate(
    RequestDelegate next, IOptions<HubSpotOptions> options, HubSpotSettings settings, RateLimiter limiter, RequestStats stats, TimeProvider clock)
{
    public async Task InvokeAsync(HttpContext http)
    {
        var at = clock.GetUtcNow();
        try
        {
            await AdmitAsync(http);
        }
        finally
        {
            stats.Log(new RequestLogEntry(at, http.Request.Method, http.Request.Path + http.Request.QueryString, http.Response.StatusCode));
        }
    }

    private async Task AdmitAsync(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        var token = header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : "";
        if (token.Length == 0 || !string.Equals(token, options.Value.AccessToken, StringComparison.Ordinal))
        {
            await new HubSpotError(StatusCodes.Status401Unauthorized, "INVALID_AUTHENTICATION",
                "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview")
                .ToResult().ExecuteAsync(http);
            return;
        }

        var limits = settings.Limits;
        stats.Seen(limits.BurstWindow);
        if (!limits.RateLimitsEnabled)
        {
            await next(http);
            return;
        }

        var search = HttpMethods.IsPost(http.Request.Method) && http.Request.Path.Value?.EndsWith("/search", StringComparison.Ordinal) == true;
        var decision = limiter.Admit(token, search, limits);
        if (!search)
        {
            var headers = http.Response.Headers;
            headers["X-HubSpot-RateLimit-Daily"] = limits.DailyLimit.ToString(CultureInfo.InvariantCulture);
            headers["X-HubSpot-RateLimit-Daily-Remaining"] = decision.DailyRemaining.ToString(CultureInfo.InvariantCulture);
            headers["X-HubSpot-RateLimit-Interval-Milliseconds"] = ((long)limits.BurstWindow.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
            headers["X-HubSpot-RateLimit-Max"] = limits.BurstLimit.ToString(CultureInfo.InvariantCulture);
            headers["X-HubSpot-RateLimit-Remaining"] = decision.BurstRemaining.ToString(CultureInfo.InvariantCulture);
        }

        if (decision.RefusedBy is { } policy)
        {
            stats.RateLimited(policy);
            await TooManyRequests(policy).ExecuteAsync(http);
            return;
        }

        await next(http);
    }

    /// <summary>HubSpot's 429 body for a policy; no Retry-After (HubSpot documents none: wait out the policy's window).</summary>
    public static IResult TooManyRequests(string policy)
    {
        var message = policy switch
        {
            RateLimiter.Daily => "You have reached your daily limit.",
            RateLimiter.Secondly => "You have reached your secondly limit.",
            _ => "You have reached your ten_secondly_rolling limit.",
        };
        return Results.Json(
            new { status = "error", message, errorType = "RATE_LIMIT", correlationId = Guid.NewGuid().ToString(), policyName = policy },
            HubSpotJson.Options, "application/json;charset=utf-8", StatusCodes.Status429TooManyRequests);
    }
}
