using Hub.Sandbox.Faults;
using Hub.Sandbox.Hosting;
using Hub.Sandbox.HubSpot.Associations;
using Hub.Sandbox.HubSpot.Batch;
using Hub.Sandbox.HubSpot.Control;
using Hub.Sandbox.HubSpot.Objects;
using Hub.Sandbox.HubSpot.Owners;
using Hub.Sandbox.HubSpot.RateLimits;
using Hub.Sandbox.HubSpot.Schema;
using Hub.Sandbox.HubSpot.Search;
using Hub.Sandbox.HubSpot.Webhooks;
using Microsoft.Extensions.Options;

namespace Hub.Sandbox.HubSpot;

/// <summary>
/// HubSpot's CRM API at HubSpot's own paths (<c>/crm/v3/objects/…</c>, <c>/crm/v3/owners</c>,
/// <c>/crm/v4/associations/…</c>), so a client changes only its base URL; ADR 0017 records the choices.
/// </summary>
public static class HubSpotSandboxSetup
{
    public static WebApplicationBuilder AddHubSpotSandbox(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<HubSpotOptions>(builder.Configuration.GetSection(HubSpotOptions.Section));
        services.AddSingleton<ObjectTypes>();
        services.AddSingleton<CrmData>();
        services.AddSingleton<HubSpotSettings>();
        services.AddSingleton<SearchIndex>();
        services.AddSingleton<RequestStats>();
        services.AddSingleton<RateLimiter>();
        services.AddSingleton<WebhookEvents>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        services.AddSingleton<CrmWrites>();
        services.AddSingleton<AssociationWrites>();
        services.AddSingleton<HubSpotSandboxApi>();
        services.AddSingleton<ISandboxApi>(sp => sp.GetRequiredService<HubSpotSandboxApi>());
        services.AddSingleton<IFaultResponder, HubSpotFaultResponder>();
        services.AddHttpClient(WebhookDispatcher.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        return builder;
    }

    /// <summary>
    /// Auth, counters and rate limits for <c>/crm</c>. Call before <c>UseSandboxFaults</c>: a request answered by an
    /// injected fault has still been counted and has still used up budget, as it would at HubSpot.
    /// </summary>
    public static WebApplication UseHubSpotGate(this WebApplication app)
    {
        app.UseWhen(http => http.Request.Path.StartsWithSegments("/crm"), crm => crm.UseMiddleware<HubSpotGate>());
        return app;
    }

    public static WebApplication MapHubSpotSandbox(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<SandboxOptions>>().Value;
        app.Services.GetRequiredService<HubSpotSandboxApi>().Reseed(options.Seed, options.Sizes);

        var crm = app.MapGroup("/crm");
        crm.MapObjectEndpoints();
        crm.MapBatchEndpoints();
        crm.MapOwnerEndpoints();
        crm.MapAssociationEndpoints();
        crm.MapSearchEndpoints();
        // A path HubSpot does not serve answers in HubSpot's shape too, so a client's error handling sees one shape.
        crm.MapFallback("{**path}", (string? path) =>
            new HubSpotError(StatusCodes.Status404NotFound, "OBJECT_NOT_FOUND", $"Nothing is served at /crm/{path}: check the path against HubSpot's API reference.").ToResult());
        app.MapSandboxAdminGroup(HubSpotSandboxApi.ApiName)?.MapHubSpotControlEndpoints();
        return app;
    }
}
