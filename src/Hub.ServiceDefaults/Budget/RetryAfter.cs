using System.Net.Http.Headers;

namespace Hub.ServiceDefaults.Budget;

/// <summary>A 429's <c>Retry-After</c>, in seconds or as an HTTP-date (RFC 9110 §10.2.3), as a delay from now.</summary>
public static class RetryAfter
{
    /// <summary>Used when a 429 carries no (readable) Retry-After.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(1);

    public static TimeSpan Delay(RetryConditionHeaderValue? header, DateTimeOffset now) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
        _ => Default,
    };
}
