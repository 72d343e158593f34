using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Hub.Sandbox.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Hub.Sandbox.Tests.Hosting;

/// <summary>
/// The sandbox in-process with small data sizes and the admin surface on. Each test makes its own, so state never
/// leaks between tests. <see cref="StartOnKestrel"/> gives a real socket for faults TestServer cannot show.
/// Optionally on a clock the test moves (the sandbox's skew still applies on top).
/// </summary>
public class SandboxFactory : WebApplicationFactory<Program>
{
    private static readonly Dictionary<string, string?> Defaults = new()
    {
        ["Sandbox:AdminEnabled"] = "true",
        ["Sandbox:Seed"] = "42",
        ["Sandbox:Faults:Seed"] = "7",
        ["Sandbox:Sizes:Leads"] = "230",
        ["Sandbox:Sizes:Contacts"] = "50",
        ["Sandbox:Sizes:Companies"] = "10",
        ["Sandbox:Sizes:Projects"] = "3",
        ["Sandbox:Sizes:ProspectsPerProject"] = "2",
        ["Sandbox:PropertyFinder:WebhookRetryBaseDelay"] = "00:00:00.020",
    };

    private readonly Dictionary<string, string?> _settings = new(Defaults);
    private readonly TimeProvider? _clock;

    public SandboxFactory(IDictionary<string, string?>? settings = null, TimeProvider? clock = null)
        : this(new Dictionary<string, string?>(), settings, clock)
    {
    }

    /// <summary>For a sandbox with other defaults (e.g. Propstreet's larger data set): base, then defaults, then settings.</summary>
    protected SandboxFactory(IDictionary<string, string?> defaults, IDictionary<string, string?>? settings, TimeProvider? clock)
    {
        foreach (var (key, value) in defaults.Concat(settings ?? new Dictionary<string, string?>()))
        {
            _settings[key] = value;
        }

        _clock = clock;
    }

    /// <summary>The sandbox on Kestrel at 127.0.0.1 with an OS-chosen port; clients from it use real sockets.</summary>
    public static SandboxFactory StartOnKestrel(IDictionary<string, string?>? settings = null)
    {
        var factory = new SandboxFactory(settings);
        factory.UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, 0));
        factory.StartServer();
        return factory;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        if (_clock is { } clock)
        {
            builder.ConfigureServices(services => services.AddSingleton(new SandboxClock(clock)));
        }
    }

    /// <summary>A client whose requests carry a fresh Property Finder access token.</summary>
    public async Task<HttpClient> CreatePropertyFinderClientAsync()
    {
        var client = CreateClient();
        var token = await RequestTokenAsync(client);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static async Task<string> RequestTokenAsync(HttpClient client, string clientId = "hub", string clientSecret = "secret")
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = clientSecret,
        });
        using var response = await client.PostAsync(new Uri("/v1/auth/token", UriKind.Relative), form);
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("access_token").GetString()!;
    }

    public static async Task SetFaultsAsync(HttpClient client, object profile)
    {
        using var response = await client.PutAsJsonAsync(new Uri("/_sandbox/faults", UriKind.Relative), profile);
        response.EnsureSuccessStatusCode();
    }
}
