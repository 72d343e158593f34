using Hub.Sandbox.Hosting;

namespace Hub.Sandbox.Faults;

/// <summary><c>GET/PUT/DELETE {admin}/faults</c>: read, replace or clear the injected faults.</summary>
public static class FaultEndpoints
{
    public static IEndpointRouteBuilder MapFaultEndpoints(this IEndpointRouteBuilder admin)
    {
        admin.MapGet("/faults", (FaultSwitch faults) => Results.Ok(faults.Current));

        // PUT replaces the whole profile: properties left out are off, so a test states exactly what it wants.
        admin.MapPut("/faults", (FaultProfile profile, FaultSwitch faults, SandboxClock clock) =>
        {
            var errors = profile.Validate();
            if (errors.Count > 0)
            {
                return Results.ValidationProblem(errors, title: "Invalid fault profile");
            }

            faults.Set(profile);
            clock.Skew = profile.ClockSkew;
            return Results.Ok(profile);
        });

        admin.MapDelete("/faults", (FaultSwitch faults, SandboxClock clock) =>
        {
            faults.Set(FaultProfile.None);
            clock.Skew = TimeSpan.Zero;
            return Results.NoContent();
        });

        return admin;
    }
}
