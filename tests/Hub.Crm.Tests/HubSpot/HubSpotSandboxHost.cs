extern alias sandbox;

using System.Collections.Concurrent;
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

    /// <summary>HubSpot API requests, each once answered.</summary>
    public ConcurrentQueue<SandboxRequest> Requests { get; } = new();

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Faults in front of the sandbox, for exact counts (the sandbox's own switches are shares).</summary>
    public NetworkFaults Faults { get; } = new();

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
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new RecordRequests(Requests, Faults)));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            Control?.Dispose();
        base.Dispose(disposing);
    }

    private sealed class RecordRequests(ConcurrentQueue<SandboxRequest> log, NetworkFaults faults) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (HttpContext context, RequestDelegate inner) =>
            {
                var path = context.Request.Path.Value ?? "";
                var at = DateTimeOffset.UtcNow;
                try
                {
                    await faults.ServeAsync(context, inner);
                }
                finally
                {
                    if (path.StartsWith("/crm/", StringComparison.Ordinal))
                        log.Enqueue(new SandboxRequest(at, context.Request.Method, path, context.Request.QueryString.Value ?? "", context.Response.StatusCode));
                }
            });
            next(app);
        };
    }
}

/// <summary>One HubSpot API request as the sandbox received it (when it arrived) and answered it.</summary>
public sealed record SandboxRequest(DateTimeOffset At, string Method, string Path, string Query, int Status);

/// <summary>
/// Faults between the client and the sandbox, for the next N requests to one method and path: a 5xx the sandbox
/// never saw, or the sandbox's real answer held back until the client has given up (the write applied, the
/// client timed out).
/// </summary>
public sealed class NetworkFaults
{
    private readonly ConcurrentDictionary<(string Method, string Path), ConcurrentQueue<Func<HttpContext, RequestDelegate, Task>>> _next = new();

    public void FailNext(string method, string path, int count, int status = StatusCodes.Status503ServiceUnavailable)
    {
        for (var i = 0; i < count; i++)
        {
            Queue(method, path).Enqueue(async (context, _) =>
            {
                context.Response.StatusCode = status;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("""{"status":"error","message":"Injected server error","category":"INTERNAL_ERROR"}""");
            });
        }
    }

    public void ApplyThenHoldNext(string method, string path, int count, TimeSpan hold)
    {
        for (var i = 0; i < count; i++)
        {
            Queue(method, path).Enqueue(async (context, inner) =>
            {
                var original = context.Response.Body;
                using var buffer = new MemoryStream();
                context.Response.Body = buffer;
                try
                {
                    await inner(context);
                }
                finally
                {
                    context.Response.Body = original;
                }

                try
                {
                    await Task.Delay(hold, context.RequestAborted);
                    buffer.Position = 0;
                    await buffer.CopyToAsync(original, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    // The client gave up, as intended.
                }
            });
        }
    }

    internal Task ServeAsync(HttpContext context, RequestDelegate inner) =>
        _next.TryGetValue((context.Request.Method, context.Request.Path.Value ?? ""), out var queue) && queue.TryDequeue(out var fault)
            ? fault(context, inner)
            : inner(context);

    private ConcurrentQueue<Func<HttpContext, RequestDelegate, Task>> Queue(string method, string path) => _next.GetOrAdd((method, path), _ => new());
}
