using Hub.Sandbox.Hosting;

namespace Hub.Sandbox.PropertyFinder;

/// <summary>
/// The Property Finder Enterprise API as documented in propertyfinder-leads.txt, at the documented paths
/// (<c>{base}/v1/leads</c>), plus the OAuth token endpoint and lead-created webhooks.
/// </summary>
public static class PropertyFinderSandboxSetup
{
    public static WebApplicationBuilder AddPropertyFinderSandbox(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<PropertyFinderOptions>(builder.Configuration.GetSection(PropertyFinderOptions.Section));
        builder.Services.AddSingleton<AccessTokens>();
        builder.Services.AddSingleton<LeadStore>();
        builder.Services.AddSingleton<LeadWebhooks>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LeadWebhooks>());
        builder.Services.AddSingleton<ISandboxApi, PropertyFinderApi>();
        builder.Services.AddHttpClient(LeadWebhooks.HttpClientName);
        return builder;
    }

    public static WebApplication MapPropertyFinderSandbox(this WebApplication app)
    {
        app.MapPropertyFinderTokenEndpoint();
        app.MapPropertyFinderLeadEndpoints();
        app.MapSandboxAdminGroup(PropertyFinderApi.ApiName)?.MapPropertyFinderAdmin();
        return app;
    }
}
