using Hub.Sandbox.Hosting;
using Hub.Sandbox.Propstreet.Access;
using Hub.Sandbox.Propstreet.Companies;
using Hub.Sandbox.Propstreet.Contacts;
using Hub.Sandbox.Propstreet.Control;
using Hub.Sandbox.Propstreet.Idempotency;
using Hub.Sandbox.Propstreet.Projects;
using Hub.Sandbox.Propstreet.Prospects;
using Hub.Sandbox.Propstreet.Storage;
using Hub.Sandbox.Propstreet.Webhooks;
using Microsoft.Extensions.Options;

namespace Hub.Sandbox.Propstreet;

public static class PropstreetSandboxSetup
{
    public static WebApplicationBuilder AddPropstreetSandbox(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<PropstreetOptions>(builder.Configuration.GetSection(PropstreetOptions.Section));
        services.AddSingleton<PropstreetData>();
        services.AddSingleton<IdempotencyStore>();
        services.AddSingleton<RateLimiter>();
        services.Configure<ProblemDetailsOptions>(o =>
        {
            var earlier = o.CustomizeProblemDetails;
            o.CustomizeProblemDetails = context =>
            {
                earlier?.Invoke(context);
                Problems.Customize(context);
            };
        });
        services.AddSingleton<WebhookRegistry>();
        services.AddSingleton<WebhookPublisher>();
        services.AddSingleton<ContactWrites>();
        services.AddSingleton<ProjectWrites>();
        services.AddSingleton<ProspectWrites>();
        services.AddSingleton<PropstreetSandboxApi>();
        services.AddSingleton<ISandboxApi>(sp => sp.GetRequiredService<PropstreetSandboxApi>());
        services.AddHostedService<WebhookDispatcher>();
        // Webhook receivers are the integrations under test: no automatic redirects, a bounded timeout per attempt.
        services.AddHttpClient(WebhookDispatcher.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        return builder;
    }

    public static WebApplication MapPropstreetSandbox(this WebApplication app)
    {
        // Seed at startup, so the first request already sees the full data set.
        var options = app.Services.GetRequiredService<IOptions<SandboxOptions>>().Value;
        app.Services.GetRequiredService<PropstreetSandboxApi>().Reseed(options.Seed, options.Sizes);

        app.UseWhen(http => http.Request.Path.StartsWithSegments("/api"), api => api.UseMiddleware<ApiClientGate>());
        var api = app.MapGroup("/api/v1");
        api.MapContactEndpoints();
        api.MapContactUpsertEndpoint();
        api.MapCompanyEndpoints();
        api.MapAssociatedProjectEndpoints();
        api.MapProjectEndpoints();
        api.MapProspectEndpoints();
        api.MapWebhookSubscriptionEndpoints();

        if (app.MapSandboxAdminGroup("propstreet") is { } control)
            control.MapPropstreetControlEndpoints();
        return app;
    }
}
