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
/// Exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is configured (environment or appsettings), with
/// the standard <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> (grpc, http/protobuf) and <c>OTEL_EXPORTER_OTLP_HEADERS</c>.
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
        var configuration = builder.Configuration;
        var serviceName = configuration["OTEL_SERVICE_NAME"] ?? builder.Environment.ApplicationName;
        var resource = ResourceBuilder.CreateDefault().AddService(serviceName);
        var otlp = OtlpSettings.From(configuration);

        builder.Services.AddSingleton(_ =>
        {
            var tracing = Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource).AddSource(ActivitySources);
            if (otlp is not null)
                tracing.AddOtlpExporter(o => otlp.Apply(o, "v1/traces"));
            return tracing.Build();
        });
        builder.Services.AddSingleton(_ =>
        {
            var metrics = Sdk.CreateMeterProviderBuilder().SetResourceBuilder(resource).AddMeter(Meters);
            if (otlp is not null)
                metrics.AddOtlpExporter(o => otlp.Apply(o, "v1/metrics"));
            return metrics.Build();
        });
        // The providers only listen once created; resolve them when the host starts.
        builder.Services.AddHostedService<TelemetryStarter>();
        return builder;
    }

    private sealed record OtlpSettings(Uri Endpoint, OtlpExportProtocol Protocol, string? Headers)
    {
        public static OtlpSettings? From(IConfiguration configuration)
        {
            if (configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] is not { Length: > 0 } endpoint)
                return null;
            var protocol = configuration["OTEL_EXPORTER_OTLP_PROTOCOL"] is "http/protobuf" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
            return new OtlpSettings(new Uri(endpoint), protocol, configuration["OTEL_EXPORTER_OTLP_HEADERS"]);
        }

        // Set in code, the endpoint is used as given; over HTTP each signal has its own path under the base
        // endpoint, as the exporter does itself when it reads the environment variable.
        public void Apply(OtlpExporterOptions options, string signalPath)
        {
            options.Protocol = Protocol;
            options.Endpoint = Protocol == OtlpExportProtocol.HttpProtobuf ? new Uri(Endpoint.ToString().TrimEnd('/') + "/" + signalPath) : Endpoint;
            if (Headers is not null)
                options.Headers = Headers;
        }
    }
}
