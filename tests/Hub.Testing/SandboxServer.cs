using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Hub.Testing;

/// <summary>
/// The real sandbox host (<c>src/Hub.Sandbox</c>) on Kestrel — a real port, so hub code talks to it over sockets as to
/// production — seeded, its control surface on, and every request passed through <see cref="ServeAsync"/> first
/// so a test host can record what arrived. Derived hosts add their defaults and a <c>Start</c>.
/// </summary>
public abstract class SandboxServer<TProgram> : WebApplicationFactory<TProgram>
    where TProgram : class
{
    private readonly Dictionary<string, string?> _settings = new()
    {
        ["Sandbox:AdminEnabled"] = "true",
        ["Sandbox:Seed"] = "42",
        ["Sandbox:Faults:Seed"] = "7",
    };

    /// <param name="defaults">The derived host's defaults.</param>
    /// <param name="settings">A test's settings, over the defaults.</param>
    protected SandboxServer(IDictionary<string, string?> defaults, IDictionary<string, string?>? settings)
    {
        foreach (var (key, value) in defaults.Concat(settings ?? new Dictionary<string, string?>()))
            _settings[key] = value;
    }

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>A client for the control surface.</summary>
    public HttpClient Control { get; private set; } = null!;

    /// <summary>Replaces the fault profile (<c>PUT /_sandbox/faults</c>); what it leaves out is off.</summary>
    public async Task SetFaultsAsync(object profile)
    {
        using var response = await Control.PutAsJsonAsync(new Uri("/_sandbox/faults", UriKind.Relative), profile);
        response.EnsureSuccessStatusCode();
    }

    public async Task ClearFaultsAsync()
    {
        using var response = await Control.DeleteAsync(new Uri("/_sandbox/faults", UriKind.Relative));
        response.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// The HubSpot sandbox's counters (<c>GET /_sandbox/hubspot/stats</c>): records per object type, writes, requests
    /// served per operation, 429s, the most requests seen in one burst window.
    /// </summary>
    public async Task<JsonElement> HubSpotStatsAsync() =>
        await Control.GetFromJsonAsync<JsonElement>(new Uri("/_sandbox/hubspot/stats", UriKind.Relative));

    protected void StartOnKestrel()
    {
        // An explicit loopback endpoint on a free port; UseKestrel(0) now and then clears the addresses of a server
        // that has already started ("cannot be modified after the server has started").
        UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, 0));
        StartServer();
        BaseUrl = ClientOptions.BaseAddress;
        Control = CreateClient();
    }

    /// <summary>Sees every request before the sandbox does (to record it); serves it unchanged by default.</summary>
    protected virtual Task ServeAsync(HttpContext context, RequestDelegate sandbox) => sandbox(context);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
            builder.UseSetting(key, value);
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new Intercept(this)));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            Control?.Dispose();
        base.Dispose(disposing);
    }

    private sealed class Intercept(SandboxServer<TProgram> server) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((HttpContext context, RequestDelegate inner) => server.ServeAsync(context, inner));
            next(app);
        };
    }
}
