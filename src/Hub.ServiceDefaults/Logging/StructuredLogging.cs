using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace Hub.ServiceDefaults.Logging;

public static class StructuredLogging
{
    /// <summary>
    /// Serilog from the <c>Serilog</c> configuration section; without one, compact JSON to stdout at
    /// Information, which is what a container log collector wants.
    /// </summary>
    public static WebApplicationBuilder AddStructuredLogging(this WebApplicationBuilder builder)
    {
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .MinimumLevel.Override("MassTransit", LogEventLevel.Information)
            .Enrich.FromLogContext()
            .Enrich.WithProperty("Application", builder.Environment.ApplicationName)
            .ReadFrom.Configuration(builder.Configuration);

        if (!builder.Configuration.GetSection("Serilog:WriteTo").Exists())
        {
            configuration = builder.Configuration.GetValue("Logging:Format", "json") == "text"
                ? configuration.WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Application} {SourceContext}: {Message:lj}{NewLine}{Exception}")
                : configuration.WriteTo.Console(new RenderedCompactJsonFormatter());
        }

        var logger = configuration.CreateLogger();
        builder.Logging.ClearProviders();
        builder.Logging.AddSerilog(logger, dispose: true);
        return builder;
    }
}
