using System.Globalization;
using Microsoft.Extensions.Options;

namespace Hub.Sandbox.Propstreet.Access;

/// <summary>
/// Bearer authentication and the per-token rate limit in front of everything under <c>/api</c>. Middleware rather
/// than an endpoint filter, so it runs before routing outcomes and body binding: a request without a token is a
/// 401 whatever else is wrong with it (unknown path, wrong method, malformed body).
/// </summary>
public sealed class ApiClientGate(RequestDelegate next, IOptions<PropstreetOptions> options, RateLimiter limiter)
{
    public async Task InvokeAsync(HttpContext http)
    {
        if (Refusal(http) is { } refusal)
        {
            await refusal.ExecuteAsync(http);
            return;
        }

        await next(http);
    }

    private IResult? Refusal(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        var token = header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : string.Empty;
        var allowed = options.Value.Tokens;
        if (token.Length == 0 || (allowed.Count > 0 && !allowed.Contains(token)))
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return Problems.Unauthorized();
        }

        var limit = options.Value.RateLimitPerMinute;
        if (limit > 0 && limiter.TryAcquire(token, limit, options.Value.RateLimitWindow) is { } wait)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return Problems.Create(429, "rate-limited", "Too many requests",
                $"The limit is {limit} requests per minute per token; retry after {seconds} s.");
        }

        ApiClient.ForToken(token).AttachTo(http);
        return null;
    }
}
