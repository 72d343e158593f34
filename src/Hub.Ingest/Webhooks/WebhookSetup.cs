using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Hub.Ingest.Webhooks;

public static class WebhookSetup
{
    /// <summary>The receivers' configuration (validated at start: every <c>whsec_</c> secret must be base64), store and metrics.</summary>
    public static WebApplicationBuilder AddWebhookReceivers(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebhookOptions>()
            .Bind(builder.Configuration.GetSection(WebhookOptions.Section))
            .Validate(SecretsAreReadable, "An Ingest:Connections:{name}:WebhookSecret starting with 'whsec_' is not base64 after the prefix.")
            .Validate(o => o.Webhooks.MaxBodyBytes > 0 && o.Webhooks.TimestampTolerance > TimeSpan.Zero, "Ingest:Webhooks:MaxBodyBytes and TimestampTolerance must be positive.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<WebhookStore>();
        builder.Services.AddSingleton<WebhookMetrics>();
        return builder;
    }

    /// <summary><c>POST /webhooks/{source}/{connection}</c> and the operator's <c>/admin/webhooks/parked</c>.</summary>
    public static WebApplication MapWebhookReceivers(this WebApplication app)
    {
        app.MapWebhookReceiverEndpoints();
        app.MapParkedWebhookEndpoints();
        return app;
    }

    private static bool SecretsAreReadable(WebhookOptions options)
    {
        foreach (var secret in options.Connections.Values.SelectMany(c => c.AcceptedSecrets()))
        {
            try
            {
                StandardWebhookSignature.Key(secret);
            }
            catch (FormatException)
            {
                return false;
            }
        }

        return true;
    }
}
