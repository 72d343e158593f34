extern alias sandbox;

using System.Collections.Concurrent;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using SandboxProgram = sandbox::Program;

namespace Hub.Crm.Tests.HubSpot;

/// <summary>
/// The real sandbox host on Kestrel (a real port: the client talks to it over sockets as to api.hubapi.com), its
/// control surface on, and every HubSpot API request it receives recorded (arrival time, method, path).
/// </summary>
public sealed class HubSpotSandboxHost : WebApplicationFactory<SandboxProgram>
{
    private readonly Dictionary<string, string?> _settings = new()
    {
        ["Sandbox:AdminEnabled"] = "true",
        ["Sandbox:Seed"] = "42",
        ["Sandbox:Faults:Seed"] = "7",
        // The other sandboxes stay small: these tests only speak HubSpot.
        ["Sandbox:Sizes:Leads"] = "20",
        ["Sandbox:Sizes:Contacts"] = "10",
        ["Sandbox:Sizes:Companies"] = "5",
        ["Sandbox:Sizes:Projects"] = "1",
        ["Sandbox:Sizes:ProspectsPerProject"] = "1",
    };

    private HubSpotSandboxHost(IDictionary<string, string?>? settings)
    {
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            _settings[key] = value;
        _settings["Sandbox:HubSpot:AccessToken"] = Token;
    }

    /// <summary>The private-app token this sandbox accepts: random, so a test can look for it in the logs.</summary>
    public string Token { get; } = $"pat-na1-{Guid.NewGuid()}";

    /// <summary>HubSpot API requests in arrival order.</summary>
    public ConcurrentQueue<SandboxRequest> Requests { get; } = new();

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Replaces the sandbox's fault profile (<c>PUT /_sandbox/faults</c>): shares of 5xx, 429s, late answers on <c>/crm</c>.</summary>
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

    /// <summary>A client for the control surface.</summary>
    public HttpClient Control { get; private set; } = null!;

    public static HubSpotSandboxHost Start(IDictionary<string, string?>? settings = null)
    {
        var host = new HubSpotSandboxHost(settings);
        host.UseKestrel(0);
        host.StartServer();
        host.BaseUrl = host.ClientOptions.BaseAddress;
        host.Control = host.CreateClient();
        return host;
    }

    public IReadOnlyList<SandboxRequest> RequestsTo(string method, string path) =>
        [.. Requests.Where(r => r.Method == method && r.Path == path)];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
            builder.UseSetting(key, value);
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new RecordRequests(Requests)));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            Control?.Dispose();
        base.Dispose(disposing);
    }

    private sealed class RecordRequests(ConcurrentQueue<SandboxRequest> log) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (HttpContext context, RequestDelegate inner) =>
            {
                var path = context.Request.Path.Value ?? "";
                if (!path.StartsWith("/crm/", StringComparison.Ordinal))
                {
                    await inner(context);
                    return;
                }

                var request = new SandboxRequest(DateTimeOffset.UtcNow, context.Request.Method, path, context.Request.QueryString.Value ?? "");
                log.Enqueue(request);
                try
                {
                    await inner(context);
                }
                finally
                {
                    request.Status = context.Response.StatusCode;
                }
            });
            next(app);
        };
    }
}

/// <summary>One HubSpot API request as the sandbox received it (when it arrived) and, once done, its status.</summary>
public sealed record SandboxRequest(DateTimeOffset At, string Method, string Path, string Query)
{
    public int Status { get; set; }
}
