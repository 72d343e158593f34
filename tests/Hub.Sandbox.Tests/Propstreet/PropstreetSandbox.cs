using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hub.Sandbox.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Hub.Sandbox.Tests.Propstreet;

/// <summary>
/// The sandbox in-process with small data sizes and the control surface on. Each instance is its own sandbox;
/// pass settings to change sizes or options (e.g. <c>Sandbox:Propstreet:RateLimitPerMinute</c>).
/// </summary>
public sealed class PropstreetSandbox : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings = new()
    {
        ["Sandbox:Seed"] = "7",
        ["Sandbox:AdminEnabled"] = "true",
        ["Sandbox:Sizes:Contacts"] = "1200",
        ["Sandbox:Sizes:Companies"] = "150",
        ["Sandbox:Sizes:Projects"] = "30",
        ["Sandbox:Sizes:ProspectsPerProject"] = "8",
        ["Sandbox:Sizes:PropertiesPerProject"] = "2",
        ["Sandbox:Sizes:Leads"] = "20",
        ["Sandbox:Propstreet:WebhookRetryBaseDelay"] = "00:00:00.020",
        ["Sandbox:Propstreet:WebhookMaxAttempts"] = "4",
    };

    public PropstreetSandbox()
    {
    }

    private TimeProvider _time = TimeProvider.System;

    /// <summary>A sandbox with some settings changed, optionally on a clock the test controls.</summary>
    public static PropstreetSandbox With(IDictionary<string, string?> settings, TimeProvider? time = null)
    {
        var sandbox = new PropstreetSandbox { _time = time ?? TimeProvider.System };
        foreach (var (key, value) in settings)
            sandbox._settings[key] = value;
        return sandbox;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
            builder.UseSetting(key, value);
        builder.ConfigureServices(services =>
            // SandboxClock built explicitly (as on helper/sandbox-core): resolved by DI it asks for TimeProvider,
            // which is itself, and deadlocks. Harmless once that fix is merged.
            services.AddSingleton(_ => new SandboxClock(_time)));
    }

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

/// <summary>A clock that moves only when the test says so.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}

public static class Json
{
    public static async Task<JsonObject> ReadObjectAsync(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonNode>())!.AsObject();

    public static string Str(this JsonNode node, string name) => node[name]!.GetValue<string>();

    public static JsonContent Body(object value) => JsonContent.Create(value);

    public static StringContent Raw(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    /// <summary>Follows nextCursor until hasMore is false, with an optional action between page requests.</summary>
    public static async Task<List<JsonObject>> WalkAsync(HttpClient client, string firstUrl, Func<int, Task>? betweenPages = null)
    {
        var all = new List<JsonObject>();
        var url = firstUrl;
        for (var page = 0; ; page++)
        {
            var response = await client.GetAsync(url);
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            var body = await response.ReadObjectAsync();
            all.AddRange(body["data"]!.AsArray().Select(n => n!.AsObject()));
            var info = body["page"]!;
            if (!info["hasMore"]!.GetValue<bool>())
            {
                Assert.Null(info["nextCursor"]);
                return all;
            }

            if (betweenPages is not null)
                await betweenPages(page);
            var separator = firstUrl.Contains('?', StringComparison.Ordinal) ? "&" : "?";
            url = $"{firstUrl}{separator}cursor={Uri.EscapeDataString(info["nextCursor"]!.GetValue<string>())}";
        }
    }

    public static JsonSerializerOptions Web { get; } = new(JsonSerializerDefaults.Web);
}
