namespace Hub.Sandbox.Faults;

public static class FaultInjectionSetup
{
    public static WebApplicationBuilder AddSandboxFaults(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<FaultSwitch>();
        return builder;
    }

    // TODO(issue 4): fault middleware.
    public static WebApplication UseSandboxFaults(this WebApplication app) => app;

    // TODO(issue 4): admin surface (faults, reset/reseed).
    public static WebApplication MapSandboxAdmin(this WebApplication app) => app;
}
