namespace Hub.Sandbox.PropertyFinder;

public static class PropertyFinderSandboxSetup
{
    // TODO(issue 4): the Property Finder API.
    public static WebApplicationBuilder AddPropertyFinderSandbox(this WebApplicationBuilder builder) => builder;

    public static WebApplication MapPropertyFinderSandbox(this WebApplication app) => app;
}
