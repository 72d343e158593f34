extern alias sandbox;

using System.Collections.Concurrent;
using Hub.Testing;
using Microsoft.AspNetCore.Http;
using SandboxProgram = sandbox::Program;

namespace Hub.Crm.Tests.HubSpot;

/// <summary>
/// The real sandbox host on Kestrel (the client talks to it over sockets as to api.hubapi.com) with a token of its
/// own and every HubSpot API request it receives recorded (arrival time, method, path, and its status and time once answered).
/// </summary>
public sealed class HubSpotSandboxHost : SandboxServer<SandboxProgram>
{
    // The other sandboxes stay small: these tests only speak HubSpot.
    private static readonly Dictionary<string, string?> Defaults = new()
    {
        ["Sandbox:Sizes:Leads"] = "20",
        ["Sandbox:Sizes:Contacts"] = "10",
        ["Sandbox:Sizes:Companies"] = "5",
        ["Sandbox:Sizes:Projects"] = "1",
        ["Sandbox:Sizes:ProspectsPerProject"] = "1",
    };

    private HubSpotSandboxHost(string token, IDictionary<string, string?>? settings)
        : base(new Dictionary<string, string?>(Defaults) { ["Sandbox:HubSpot:AccessToken"] = token }, settings) => Token = token;

    /// <summary>The private-app token this sandbox accepts: random, so a test can look for it in the logs.</summary>
    public string Token { get; }

    /// <summary>HubSpot API requests in arrival order.</summary>
    public ConcurrentQueue<SandboxRequest> Requests { get; } = new();

    public static HubSpotSandboxHost Start(IDictionary<string, string?>? settings = null)
    {
        var host = new HubSpotSandboxHost($"pat-na1-{Guid.NewGuid()}", settings);
        host.StartOnKestrel();
        return host;
    }

    public IReadOnlyList<SandboxRequest> RequestsTo(string method, string path) =>
        [.. Requests.Where(r => r.Method == method && r.Path == path)];

    protected override async Task ServeAsync(HttpContext context, RequestDelegate sandbox)
    {
        var path = context.Request.Path.Value ?? "";
        if (!path.StartsWith("/crm/", StringComparison.Ordinal))
        {
            await sandbox(context);
            return;
        }

        var request = new SandboxRequest(DateTimeOffset.UtcNow, context.Request.Method, path, context.Request.QueryString.Value ?? "");
        Requests.Enqueue(request);
        try
        {
            await sandbox(context);
        }
        finally
        {
            request.Status = context.Response.StatusCode;
            request.Answered = DateTimeOffset.UtcNow;
        }
    }
}

/// <summary>One HubSpot API request as the sandbox received it (when it arrived) and, once done, its status and when.</summary>
public sealed record SandboxRequest(DateTimeOffset At, string Method, string Path, string Query)
{
    public int Status { get; set; }

    public DateTimeOffset? Answered { get; set; }
}
