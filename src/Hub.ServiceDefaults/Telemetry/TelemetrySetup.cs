using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Hub.ServiceDefaults.Telemetry;

/// <summary>
/// Traces and metrics straight from the activity sources and meters that ASP.NET Core, MassTransit and Npgsql
/// emit themselves; the instrumentation packages are not available to us and are not needed for these.
/// Exported over OTLP only when an endpoint is configured (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c> or
/// <c>OpenTelemetry:Otlp:Endpoint</c>); otherwise the providers still run so in-process listeners work.
/// </summary>
public static class TelemetrySetup
{
    /// <summary>Activity sources and meters of the hub's own code start with this prefix.</summary>
    public const string HubSourcePrefix = "Hub.";

    private static readonly string[] ActivitySources = ["Microsoft.AspNetCore", "MassTransit", "Npgsql", "System.Net.Http", HubSourcePrefix + "*"];

    private static readonly string[] Meters =
    [
        "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Diagnostics",
        "MassTransit", "Npgsql", "System.Net.Http", "System.Runtime", HubSourcePrefix + "*",
    ];

    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        var serviceName = builder.Configuration["OTEL_SERVICE_NAME"] ?? builder.Environment.ApplicationName;
        var endpoint = builder.Configuration["OpenTelemetry:Otlp:Endpoint"] ?? builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        var resource = ResourceBuilder.CreateDefault().AddService(serviceName);

        builder.Services.AddSingleton(_ =>
        {
            var tracing = Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource).AddSource(ActivitySources);
            if (endpoint is { Length: > 0 })
                tracing.AddOtlpExporter(o => Configure(o, endpoint));
            return tracing.Build();
        });
        builder.Services.AddSingleton(_ =>
        {
            var metrics = Sdk.CreateMeterProviderBuilder().SetResourceBuilder(resource).AddMeter(Meters);
            if (endpoint is { Length: > 0 })
                metrics.AddOtlpExporter(o => Configure(o, endpoint));
            return metrics.Build();
        });
        // The providers only listen once created; resolve them when the host starts.
        builder.Services.AddHostedService<TelemetryStarter>();
        return builder;
    }

    private static void Configure(OtlpExporterOptions options, string endpoint) => options.Endpoint = new Uri(endpoint);
}
