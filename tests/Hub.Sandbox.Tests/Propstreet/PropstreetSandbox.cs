using System.Net.Http.Headers;
using Hub.Sandbox.Tests.Hosting;

namespace Hub.Sandbox.Tests.Propstreet;

/// <summary>
/// The shared <see cref="SandboxFactory"/> with a data set large enough for Propstreet's paging and concurrency
/// tests, fast webhook retries, and token-authenticated clients. Each instance is its own sandbox; pass settings to
/// change sizes or options (e.g. <c>Sandbox:Propstreet:RateLimitPerMinute</c>).
/// </summary>
public sealed class PropstreetSandbox : SandboxFactory
{
    private static readonly Dictionary<string, string?> PropstreetDefaults = new()
    {
        ["Sandbox:Seed"] = "7",
        ["Sandbox:Sizes:Contacts"] = "1200",
        ["Sandbox:Sizes:Companies"] = "150",
        ["Sandbox:Sizes:Projects"] = "30",
        ["Sandbox:Sizes:ProspectsPerProject"] = "8",
        ["Sandbox:Sizes:Leads"] = "20",
        ["Sandbox:Propstreet:WebhookRetryBaseDelay"] = "00:00:00.020",
        ["Sandbox:Propstreet:WebhookMaxAttempts"] = "4",
    };

    public PropstreetSandbox()
        : this(null, null)
    {
    }

    private PropstreetSandbox(IDictionary<string, string?>? settings, TimeProvider? clock)
        : base(PropstreetDefaults, settings, clock)
    {
    }

    /// <summary>A sandbox with some settings changed, optionally on a clock the test controls.</summary>
    public static PropstreetSandbox With(IDictionary<string, string?> settings, TimeProvider? time = null) => new(settings, time);

    /// <summary>A client for one API token (each token is its own API client with its own changeOrigin).</summary>
    public HttpClient ClientFor(string? token = null)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token ?? "token-" + Guid.NewGuid().ToString("N"));
        return client;
    }

    /// <summary>A client for the control surface (no token needed).</summary>
    public HttpClient Control() => CreateClient();
}
