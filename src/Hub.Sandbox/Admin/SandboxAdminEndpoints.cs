using Hub.Sandbox.Faults;
using Hub.Sandbox.Hosting;
using Microsoft.Extensions.Options;

namespace Hub.Sandbox.Admin;

/// <summary>
/// The sandbox-wide control surface under <c>Sandbox:AdminPrefix</c> (default <c>/_sandbox</c>): an index, fault
/// injection and reset/reseed. Mapped only when <c>Sandbox:AdminEnabled</c> is true; otherwise every admin path is
/// a plain 404. Per-API controls live with each API (<see cref="SandboxCoreSetup.MapSandboxAdminGroup"/>).
/// </summary>
public static class SandboxAdminEndpoints
{
    public static WebApplication MapSandboxAdmin(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<SandboxOptions>>().Value;
        if (!options.AdminEnabled)
        {
            return app;
        }

        var admin = app.MapGroup(options.AdminPrefix.TrimEnd('/'));

        admin.MapGet("/", (IEnumerable<ISandboxApi> apis, IOptions<SandboxOptions> current) => Results.Ok(new AdminIndex(
            apis.Select(a => a.Name).Order(StringComparer.Ordinal).ToArray(), current.Value.Seed, current.Value.Sizes)));

        admin.MapFaultEndpoints();

        // The seed comes from ?seed=, else the body's "seed", else configuration; sizes always from configuration.
        admin.MapPost("/reset", (int? seed, ResetRequest? request, IEnumerable<ISandboxApi> apis, IOptions<SandboxOptions> current) =>
        {
            var effectiveSeed = seed ?? request?.Seed ?? current.Value.Seed;
            var names = new List<string>();
            foreach (var api in apis)
            {
                api.Reseed(effectiveSeed, current.Value.Sizes);
                names.Add(api.Name);
            }

            return Results.Ok(new ResetResult(effectiveSeed, names));
        });

        return app;
    }
}

public sealed record ResetRequest(int? Seed);

public sealed record ResetResult(int Seed, IReadOnlyList<string> Reseeded);

public sealed record AdminIndex(IReadOnlyList<string> Apis, int Seed, SandboxSizes Sizes);
