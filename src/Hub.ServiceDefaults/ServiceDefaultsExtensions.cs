using Hub.ServiceDefaults.Health;
using Hub.ServiceDefaults.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Hub.ServiceDefaults;

/// <summary>
/// What every hub host has in common: configuration from appsettings + environment, structured logs,
/// traces and metrics, health probes and a bounded graceful shutdown. Hosts add their own parts
/// (PostgreSQL, RabbitMQ, resilient HttpClients, endpoints) next to this call.
/// </summary>
public static class ServiceDefaultsExtensions
{
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder)
    {
        // WebApplication.CreateBuilder already layers appsettings.json, appsettings.{Environment}.json and
        // environment variables (ConnectionStrings__Postgres, Serilog__MinimumLevel__Default, ...).
        builder.AddStructuredLogging();
        builder.AddTelemetry();
        builder.Services.AddHealthChecks();
        builder.Services.AddProblemDetails();
        builder.Services.Configure<HostOptions>(options =>
            options.ShutdownTimeout = builder.Configuration.GetValue("Hosting:ShutdownTimeout", TimeSpan.FromSeconds(20)));
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
