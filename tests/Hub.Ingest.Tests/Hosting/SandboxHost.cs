extern alias sandbox;

using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Hub.Testing;
using Microsoft.AspNetCore.Http;
using SandboxProgram = sandbox::Program;

namespace Hub.Ingest.Tests.Hosting;

/// <summary>
/// The real sandbox host on Kestrel with every Propstreet and Property Finder API request it receives recorded
/// (arrival time and path + query).
/// </summary>
public sealed class SandboxHost : SandboxServer<SandboxProgram>
{
    private static readonly Dictionary<string, string?> Defaults = new()
    {
        ["Sandbox:Sizes:Leads"] = "120",
        ["Sandbox:Sizes:Contacts"] = "300",
        ["Sandbox:Sizes:Companies"] = "10",
        ["Sandbox:Sizes:Projects"] = "3",
        ["Sandbox:Sizes:ProspectsPerProject"] = "2",
        ["Sandbox:Propstreet:RateLimitPerMinute"] = "0",
    };

    private SandboxHost(IDictionary<string, string?>? settings)
        : base(Defaults, settings)
    {
    }

    /// <summary>API requests in arrival order: when, and path + query.</summary>
    public ConcurrentQueue<(DateTimeOffset At, string PathAndQuery)> Requests { get; } = new();

    public static SandboxHost Start(IDictionary<string, string?>? settings = null)
    {
        var host = new SandboxHost(settings);
        host.StartOnKestrel();
        return host;
    }

    public IEnumerable<string> RequestsTo(string path) => Requests.Select(r => r.PathAndQuery).Where(p => p.StartsWith(path, StringComparison.Ordinal));

    /// <summary>A Propstreet API call as an integration (bearer token), e.g. an upsert that revives a contact.</summary>
    public async Task<HttpResponseMessage> PropstreetApiAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "other-integration");
        return await Control.SendAsync(request);
    }

    protected override Task ServeAsync(HttpContext context, RequestDelegate sandbox)
    {
        var path = context.Request.Path.Value ?? "";
        if (path.StartsWith("/api/", StringComparison.Ordinal) || path.StartsWith("/v1/", StringComparison.Ordinal))
            Requests.Enqueue((DateTimeOffset.UtcNow, path + context.Request.QueryString));
        return sandbox(context);
    }
}
