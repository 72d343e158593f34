using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Hub.ServiceDefaults.Telemetry;

/// <summary>
/// Traces and metrics of ASP.NET Core, outbound HttpClient calls, the .NET runtime, Npgsql, MassTransit, Marten
/// and the hub's own <c>Hub.*</c> sources, exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is configured.
/// The exporter reads the standard <c>OTEL_EXPORTER_OTLP_*</c> settings itself from configuration, so they work
/// as environment variables and as appsettings keys alike.
/// </summary>
public static class TelemetrySetup
{
    /// <summary>Activity sources and meters of the hub's own code start with this prefix.</summary>
    public const string HubSourcePrefix = "Hub.";

    // MassTransit and Marten emit these themselves; there is no instrumentation package to add for them.
    private static readonly string[] LibrarySources = ["MassTransit", "Marten"];

    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        var serviceName = builder.Configuration["OTEL_SERVICE_NAME"] ?? builder.Environment.ApplicationName;

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddSource(LibrarySources)
                .AddSource(HubSourcePrefix + "*"))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddNpgsqlInstrumentation()
                .AddMeter(LibrarySources)
                .AddMeter(HubSourcePrefix + "*"));

        // Per signal rather than UseOtlpExporter: logs go through Serilog, and UseOtlpExporter would also set up an
        // OpenTelemetry log pipeline that Serilog's logger factory never feeds. Without an endpoint nothing is
        // exported, instead of failing against the exporter's default localhost:4317.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry.WithTracing(tracing => tracing.AddOtlpExporter());
            telemetry.WithMetrics(metrics => metrics.AddOtlpExporter());
        }

        return builder;
    }
}
