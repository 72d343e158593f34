using Hub.Sandbox.Hosting;
using Microsoft.Extensions.Options;

namespace Hub.Sandbox.Faults;

/// <summary>
/// Injects the current <see cref="FaultProfile"/> into API traffic (<c>/api/*</c>, <c>/v1/*</c>, and the paths of
/// each <see cref="IFaultResponder"/>, e.g. HubSpot's <c>/crm/*</c>): latency, 5xx, 429 storms, connections dropped
/// mid-response and answers held back after the request was served. Health probes and the admin surface are never
/// touched, so a test can always switch faults off again.
/// </summary>
public sealed class FaultInjectionMiddleware(
    RequestDelegate next, FaultSwitch faults, FaultDice dice, IOptions<SandboxOptions> options, IEnumerable<IFaultResponder> responders)
{
    private readonly IFaultResponder[] _responders = [.. responders];

    private static readonly int[] ServerErrors = [StatusCodes.Status500InternalServerError, StatusCodes.Status502BadGateway, StatusCodes.Status503ServiceUnavailable];

    private readonly PathString _adminPrefix = new(options.Value.AdminPrefix.TrimEnd('/'));

    public async Task InvokeAsync(HttpContext context)
    {
        var profile = faults.Current;
        var responder = _responders.FirstOrDefault(r => r.Serves(context.Request.Path));
        if (ReferenceEquals(profile, FaultProfile.None) || !IsApiPath(context.Request.Path, responder))
        {
            await next(context);
            return;
        }

        if (profile.Latency > TimeSpan.Zero)
        {
            // Real time on purpose: the clock-skew fault must not shorten or stretch the delay.
            await Task.Delay(profile.Latency, context.RequestAborted);
        }

        // One roll decides between 5xx, 429 and being served, so the shares add up as configured (a share of 1
        // always wins, since the roll is below 1).
        var roll = profile.ServerErrorShare + profile.TooManyRequestsShare > 0 ? dice.Next() : 1.0;
        if (roll < profile.ServerErrorShare)
        {
            var status = ServerErrors[dice.Next(ServerErrors.Length)];
            if (responder is not null)
            {
                await responder.ServerError(status).ExecuteAsync(context);
                return;
            }

            await Results.Problem(
                statusCode: status,
                title: "Injected server error",
                detail: "The sandbox's fault injection answered this request with a server error.")
                .ExecuteAsync(context);
            return;
        }

        if (roll < profile.ServerErrorShare + profile.TooManyRequestsShare)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(profile.RetryAfter.TotalSeconds));
            if (responder is not null)
            {
                await responder.TooManyRequests(TimeSpan.FromSeconds(seconds)).ExecuteAsync(context);
                return;
            }

            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await Results.Problem(
                statusCode: StatusCodes.Status429TooManyRequests,
                title: "Too many requests",
                detail: $"Injected 429: retry after {seconds} s.")
                .ExecuteAsync(context);
            return;
        }

        if (dice.Roll(profile.DropConnectionShare))
        {
            await ServeThenDropAsync(context);
            return;
        }

        if (dice.Roll(profile.LateAnswerShare))
        {
            await ServeThenAnswerLateAsync(context, profile.LateAnswerDelay);
            return;
        }

        await next(context);
    }

    private bool IsApiPath(PathString path, IFaultResponder? responder) =>
        (responder is not null || path.StartsWithSegments("/api") || path.StartsWithSegments("/v1")) && !path.StartsWithSegments(_adminPrefix);

    // Serves the request in full (a write is applied), then holds the answer back: a client with a shorter timeout
    // gives up although the write happened, and must retry without creating a duplicate.
    private async Task ServeThenAnswerLateAsync(HttpContext context, TimeSpan delay)
    {
        var body = await ServeBufferedAsync(context);
        try
        {
            // Real time on purpose, as for latency.
            await Task.Delay(delay, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    // Buffers the real response, promises all of it (Content-Length), sends half and aborts: the client sees a
    // truncated body on a broken connection, as when a proxy or the server dies mid-response.
    private async Task ServeThenDropAsync(HttpContext context)
    {
        var body = await ServeBufferedAsync(context);
        context.Response.ContentLength = Math.Max(body.Length, 1);
        await context.Response.Body.WriteAsync(body.AsMemory(0, body.Length / 2), context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
        context.Abort();
    }

    /// <summary>Runs the rest of the pipeline with the response body held in memory; the body is not sent yet.</summary>
    private async Task<byte[]> ServeBufferedAsync(HttpContext context)
    {
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
        }

        return buffer.ToArray();
    }
}
