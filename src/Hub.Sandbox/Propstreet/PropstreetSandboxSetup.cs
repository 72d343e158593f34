namespace Hub.Sandbox.Propstreet;

public static class PropstreetSandboxSetup
{
    // TODO(issue 4): the Propstreet API.
    public static WebApplicationBuilder AddPropstreetSandbox(this WebApplicationBuilder builder) => builder;

    public static WebApplication MapPropstreetSandbox(this WebApplication app) => app;
}
