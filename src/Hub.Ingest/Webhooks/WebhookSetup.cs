using Hub.Ingest.Observations;

namespace Hub.Ingest.Webhooks;

public static class WebhookSetup
{
    /// <summary>
    /// The receivers' configuration, store and metrics. They send through
    /// <see cref="ObservationsSetup.AddObservationSending"/>; their connections (and secrets) are validated with the
    /// pollers' by <see cref="Connections.ConnectionsSetup"/>.
    /// </summary>
    public static WebApplicationBuilder AddWebhookReceivers(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebhookOptions>()
            .Bind(builder.Configuration.GetSection(WebhookOptions.Section))
            .Validate(o => o.Webhooks.MaxBodyBytes > 0 && o.Webhooks.TimestampTolerance > TimeSpan.Zero, "Ingest:Webhooks:MaxBodyBytes and TimestampTolerance must be positive.")
            .ValidateOnStart();
        builder.Services.AddSingleton<WebhookStore>();
        builder.Services.AddSingleton<WebhookMetrics>();

        // HubSpot's receiver keeps events in an inbox and resolves them behind its answer (needs AddHubSpot's clients).
        HubSpotWebhookConnection.Validate(builder.Configuration);
        builder.Services.AddSingleton<HubSpotWebhookInbox>();
        builder.Services.AddSingleton<HubSpotWebhookMetrics>();
        builder.Services.AddSingleton<HubSpotWebhookResolver>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<HubSpotWebhookResolver>());
        return builder;
    }

    /// <summary><c>POST /webhooks/{source}/{connection}</c>, <c>POST /webhooks/hubspot/{connection}</c> and the operator's <c>/admin/webhooks/parked</c>.</summary>
    public static WebApplication MapWebhookReceivers(this WebApplication app)
    {
        app.MapWebhookReceiverEndpoints();
        app.MapHubSpotWebhookEndpoints();
        app.MapParkedWebhookEndpoints();
        return app;
    }
}
