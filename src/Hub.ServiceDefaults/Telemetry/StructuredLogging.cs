using Hub.ServiceDefaults.Health;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace Hub.ServiceDefaults.Telemetry;

public static class StructuredLogging
{
    /// <summary>
    /// Serilog from the <c>Serilog</c> configuration section; without <c>Serilog:WriteTo</c>, compact JSON to
    /// stdout, which is what a container log collector wants (<c>Logging:Format=text</c> for people).
    /// </summary>
    public static WebApplicationBuilder AddStructuredLogging(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var applicationName = builder.Environment.ApplicationName;

        // preserveStaticLogger: each host owns its logger instead of replacing the process-wide Log.Logger, so hosts
        // started side by side in one process (the tests) never close each other's logger when one stops.
        builder.Services.AddSerilog(
            (services, logger) =>
            {
                logger
                    .MinimumLevel.Information()
                    // ASP.NET Core's own request lines carry the full URL with its query string; our request log doesn't.
                    .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
                    .MinimumLevel.Override("MassTransit", LogEventLevel.Information)
                    .Enrich.FromLogContext()
                    .Enrich.WithProperty("Application", applicationName)
                    .ReadFrom.Configuration(configuration)
                    .ReadFrom.Services(services);

                if (!configuration.GetSection("Serilog:WriteTo").Exists())
                {
                    if (configuration.GetValue("Logging:Format", "json") == "text")
                        logger.WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Application} {SourceContext}: {Message:lj}{NewLine}{Exception}");
                    else
                        logger.WriteTo.Console(new RenderedCompactJsonFormatter());
                }
            },
            preserveStaticLogger: true);
        return builder;
    }

    /// <summary>
    /// One event per request: method, path without its query string (tokens travel there), status and duration;
    /// never headers. Health probes are logged at Debug, so a probe every few seconds doesn't bury the log.
    /// </summary>
    public static WebApplication UseRequestLogging(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILogger>();
        app.UseSerilogRequestLogging(options =>
        {
            options.Logger = logger;
            options.IncludeQueryInRequestPath = false;
            options.GetLevel = (context, _, exception) => RequestLevel(context, exception);
        });
        return app;
    }

    private static LogEventLevel RequestLevel(HttpContext context, Exception? exception)
    {
        if (exception is not null)
            return LogEventLevel.Error;
        // A 503 from /health/ready is the probe's answer, not a failed request; the failing check logs why.
        if (IsHealthProbe(context))
            return LogEventLevel.Debug;
        return context.Response.StatusCode >= StatusCodes.Status500InternalServerError ? LogEventLevel.Error : LogEventLevel.Information;
    }

    private static bool IsHealthProbe(HttpContext context) => context.Request.Path.StartsWithSegments(HealthEndpoints.PathPrefix, StringComparison.Ordinal);
}
