using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Hub.ServiceDefaults.Http;

public static class ResilientHttpClients
{
    /// <summary>
    /// Every named and typed HttpClient of the host (HubSpot, Propstreet, Property Finder, ...) gets the standard
    /// resilience handler: rate limiter, total and per-attempt timeouts, retries with jittered back-off (honouring
    /// Retry-After) and a circuit breaker. A host that calls other services opts in next to AddServiceDefaults;
    /// it is not part of the defaults because the sandbox, which shares them, must make exactly one attempt per
    /// documented webhook delivery.
    /// </summary>
    public static WebApplicationBuilder AddResilientHttpClients(this WebApplicationBuilder builder)
    {
        builder.Services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler());
        // Except the OTLP exporter's clients (http/protobuf): it sends synchronously, handles HttpRequestException
        // only and retries on its own, so the handler's rejections (timeout, open circuit) would silently drop batches.
        // RemoveAllResilienceHandlers is the package's way to opt a client out of the defaults; it is still marked
        // experimental.
#pragma warning disable EXTEXP0001
        foreach (var otlpClient in (string[])["OtlpTraceExporter", "OtlpMetricExporter"])
            builder.Services.AddHttpClient(otlpClient).RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        return builder;
    }

    /// <summary>
    /// A named client for an API client that decides its own retries (which requests are idempotent, how long a 429
    /// waits, waits for the shared request budget outside the attempt's timeout): no resilience handler, since a
    /// second retry layer would resend non-idempotent writes and bypass the budget; no HttpClient timeout, since the
    /// client times each attempt itself; the Authorization header redacted from logs. Returns the client's name.
    /// </summary>
    public static string AddSelfRetryingHttpClient(this IServiceCollection services, string name)
    {
        var http = services.AddHttpClient(name, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .RedactLoggedHeaders(["Authorization"]);
#pragma warning disable EXTEXP0001   // experimental in 10.x; the package's documented way to opt out of the defaults
        http.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        return name;
    }
}
