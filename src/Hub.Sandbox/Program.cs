using Hub.Sandbox.Admin;
using Hub.Sandbox.Faults;
using Hub.Sandbox.Hosting;
using Hub.Sandbox.HubSpot;
using Hub.Sandbox.PropertyFinder;
using Hub.Sandbox.Propstreet;
using Hub.ServiceDefaults;

// Contract-faithful stand-ins for the Propstreet, Property Finder and HubSpot APIs, served at the same paths as
// production so a client changes only its base URL. See README.md ("The sandbox").
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddSandboxCore();
builder.AddSandboxFaults();
builder.AddPropstreetSandbox();
builder.AddPropertyFinderSandbox();
builder.AddHubSpotSandbox();

var app = builder.Build();
app.UseHubSpotGate();
app.UseSandboxFaults();
app.MapServiceDefaults();
app.MapPropstreetSandbox();
app.MapPropertyFinderSandbox();
app.MapHubSpotSandbox();
app.MapSandboxAdmin();
app.Run();

/// <summary>Entry point marker for in-process tests.</summary>
public partial class Program;
