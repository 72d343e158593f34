namespace Hub.Sandbox.Faults;

public static class FaultInjectionSetup
{
    public static WebApplicationBuilder AddSandboxFaults(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<FaultOptions>(builder.Configuration.GetSection(FaultOptions.Section));
        builder.Services.AddSingleton<FaultSwitch>();
        builder.Services.AddSingleton<FaultDice>();
        return builder;
    }

    /// <summary>Fault injection for API paths; a no-op per request while no faults are switched on.</summary>
    public static WebApplication UseSandboxFaults(this WebApplication app)
    {
        app.UseMiddleware<FaultInjectionMiddleware>();
        return app;
    }
}
