using Hub.ServiceDefaults.Health;
using Hub.ServiceDefaults.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Hub.ServiceDefaults;

/// <summary>
/// What every hub host has in common: configuration from appsettings + environment, structured logs,
/// traces and metrics, resilient outbound HTTP, health probes and a bounded graceful shutdown. Hosts add their
/// own parts (PostgreSQL, RabbitMQ, endpoints) next to this call.
/// </summary>
public static class ServiceDefaultsExtensions
{
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder)
    {
        // WebApplication.CreateBuilder already layers appsettings.json, appsettings.{Environment}.json and
        // environment variables (ConnectionStrings__Postgres, Serilog__MinimumLevel__Default, ...).
        builder.AddStructuredLogging();
        builder.AddTelemetry();
        builder.AddHttpClientDefaults();
        builder.Services.AddHealthChecks();
        builder.Services.AddProblemDetails();
        builder.Services.Configure<HostOptions>(options =>
            options.ShutdownTimeout = builder.Configuration.GetValue("Hosting:ShutdownTimeout", TimeSpan.FromSeconds(20)));
        return builder;
    }

    /// <summary>
    /// Every named and typed HttpClient of the host (HubSpot, Propstreet, Property Finder, ...) gets the standard
    /// resilience handler: rate limiter, total and per-attempt timeouts, retries with jittered back-off (honouring
    /// Retry-After) and a circuit breaker.
    /// </summary>
    public static WebApplicationBuilder AddHttpClientDefaults(this WebApplicationBuilder builder)
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
    /// Request logging, problem details for errors, and <c>/health/live</c> (the process answers) and
    /// <c>/health/ready</c> (its dependencies answer). Call it first, so the request log sees the final status.
    /// </summary>
    public static WebApplication MapServiceDefaults(this WebApplication app)
    {
        app.UseRequestLogging();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapHealthEndpoints();
        return app;
    }
}
