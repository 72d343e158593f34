using Hub.Sandbox.Webhooks;
using Microsoft.Extensions.Options;

namespace Hub.Sandbox.Hosting;

public static class SandboxCoreSetup
{
    public static WebApplicationBuilder AddSandboxCore(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<SandboxOptions>(builder.Configuration.GetSection(SandboxOptions.Section));
        // Built explicitly: left to DI, SandboxClock(TimeProvider inner) would be resolved with the TimeProvider
        // registered below — itself — and deadlock on first use.
        builder.Services.AddSingleton(_ => new SandboxClock(TimeProvider.System));
        builder.Services.AddSingleton<TimeProvider>(sp => sp.GetRequiredService<SandboxClock>());
        builder.Services.AddSingleton<StandardWebhookSender>();
        // Bodies bound to DTOs (control surface) refuse repeated property names like the API's writes do.
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.AllowDuplicateProperties = false);
        return builder;
    }

    /// <summary>
    /// The route group of one API's control endpoints under the admin prefix (e.g. <c>/_sandbox/propstreet</c>),
    /// or null when the control surface is off, so nothing is mapped at all.
    /// </summary>
    public static RouteGroupBuilder? MapSandboxAdminGroup(this WebApplication app, string name)
    {
        var options = app.Services.GetRequiredService<IOptions<SandboxOptions>>().Value;
        return options.AdminEnabled ? app.MapGroup($"{options.AdminPrefix.TrimEnd('/')}/{name}") : null;
    }
}
