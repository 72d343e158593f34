extern alias sandbox;

using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using SandboxProgram = sandbox::Program;

namespace Hub.Ingest.Tests.Hosting;

/// <summary>
/// The real sandbox host on Kestrel (a real port, so Ingest talks to it over sockets as to production), with its
/// control surface on and every API request it receives recorded (arrival time and path + query).
/// </summary>
public sealed class SandboxHost : WebApplicationFactory<SandboxProgram>
{
    private readonly Dictionary<string, string?> _settings = new()
    {
        ["Sandbox:AdminEnabled"] = "true",
        ["Sandbox:Seed"] = "42",
        ["Sandbox:Faults:Seed"] = "7",
        ["Sandbox:Sizes:Leads"] = "120",
        ["Sandbox:Sizes:Contacts"] = "300",
        ["Sandbox:Sizes:Companies"] = "10",
        ["Sandbox:Sizes:Projects"] = "3",
        ["Sandbox:Sizes:ProspectsPerProject"] = "2",
        ["Sandbox:Propstreet:RateLimitPerMinute"] = "0",
    };

    private SandboxHost(IDictionary<string, string?>? settings)
    {
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            _settings[key] = value;
    }

    /// <summary>API requests in arrival order: when, and path + query.</summary>
    public ConcurrentQueue<(DateTimeOffset At, string PathAndQuery)> Requests { get; } = new();

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>A client for the control surface.</summary>
    public HttpClient Control { get; private set; } = null!;

    public static SandboxHost Start(IDictionary<string, string?>? settings = null)
    {
        var host = new SandboxHost(settings);
        host.UseKestrel(0);
        host.StartServer();
        host.BaseUrl = host.ClientOptions.BaseAddress;
        host.Control = host.CreateClient();
        return host;
    }

    public IEnumerable<string> RequestsTo(string path) => Requests.Select(r => r.PathAndQuery).Where(p => p.StartsWith(path, StringComparison.Ordinal));

    public async Task SetFaultsAsync(object profile)
    {
        using var response = await Control.PutAsJsonAsync(new Uri("/_sandbox/faults", UriKind.Relative), profile);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>A Propstreet API call as an integration (bearer token), e.g. an upsert that revives a contact.</summary>
    public async Task<HttpResponseMessage> PropstreetApiAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "other-integration");
        return await Control.SendAsync(request);
    }

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

    private sealed class RecordRequests(ConcurrentQueue<(DateTimeOffset, string)> log) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((HttpContext context, RequestDelegate inner) =>
            {
                var path = context.Request.Path.Value ?? "";
                if (path.StartsWith("/api/", StringComparison.Ordinal) || path.StartsWith("/v1/", StringComparison.Ordinal))
                    log.Enqueue((DateTimeOffset.UtcNow, path + context.Request.QueryString));
                return inner(context);
            });
            next(app);
        };
    }
}
