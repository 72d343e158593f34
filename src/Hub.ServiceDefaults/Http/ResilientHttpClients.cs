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
}
