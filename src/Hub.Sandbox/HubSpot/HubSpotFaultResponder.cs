using Hub.Sandbox.Faults;
using Hub.Sandbox.HubSpot.RateLimits;

namespace Hub.Sandbox.HubSpot;

/// <summary>Injected faults on <c>/crm</c> answer as HubSpot would: its error body for a 5xx, its burst-limit 429.</summary>
public sealed class HubSpotFaultResponder : IFaultResponder
{
    public bool Serves(PathString path) => path.StartsWithSegments("/crm");

    public IResult ServerError(int status) =>
        new HubSpotError(status, "INTERNAL_ERROR", "internal error (injected by the sandbox's fault injection)").ToResult();

    public IResult TooManyRequests(TimeSpan retryAfter) => HubSpotGate.TooManyRequests(RateLimiter.Burst);
}
