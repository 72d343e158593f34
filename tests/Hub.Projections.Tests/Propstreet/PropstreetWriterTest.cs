extern alias sandbox;

using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Hub.Projections.Propstreet;
using Hub.ServiceDefaults.Http;
using Hub.ServiceDefaults.Postgres;
using Hub.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SandboxProgram = sandbox::Program;

namespace Hub.Projections.Tests.Propstreet;

/// <summary>
/// Each test gets a database (the shared request budget lives there) and a Propstreet sandbox of its own.
/// <see cref="StartWriter"/> builds a hub host the way Hub.Projections does — PostgreSQL, the resilient HTTP
/// defaults, <c>AddPropstreetWriteBack</c> — and hands out the writer of connection <c>main</c>.
/// </summary>
public abstract class PropstreetWriterTest : IAsyncLifetime
{
    private readonly List<WebApplication> _hubs = [];

    protected PostgresDatabase Database { get; private set; } = null!;

    protected PropstreetSandboxHost Sandbox { get; private set; } = null!;

    /// <summary>The hub's API token: random, so a test can look for it in the logs.</summary>
    protected string Token { get; } = $"ps-token-{Guid.NewGuid():N}";

    /// <summary>Everything any hub host logged, at every level.</summary>
    protected ConcurrentQueue<string> Logs { get; } = new();

    protected virtual IDictionary<string, string?> SandboxSettings => new Dictionary<string, string?>();

    public async Task InitializeAsync()
    {
        Database = await PostgresDatabase.CreateAsync(GetType().Name);
        Sandbox = PropstreetSandboxHost.Start(SandboxSettings);
    }

    public async Task DisposeAsync()
    {
        foreach (var hub in _hubs)
            await hub.DisposeAsync();
        await Sandbox.DisposeAsync();
        await Database.DisposeAsync();
    }

    protected PropstreetWriter StartWriter(IDictionary<string, string?>? connection = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration["ConnectionStrings:Postgres"] = Database.ConnectionString;
        var settings = new Dictionary<string, string?>
        {
            ["BaseUrl"] = Sandbox.BaseUrl.ToString(),
            ["Token"] = Token,
            ["RequestTimeoutSeconds"] = "10",
            ["RetryBaseDelaySeconds"] = "0.2",
        };
        foreach (var (key, value) in connection ?? new Dictionary<string, string?>())
            settings[key] = value;
        foreach (var (key, value) in settings)
            builder.Configuration[$"{PropstreetConnection.Section}:main:{key}"] = value;

        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Trace).AddProvider(new CapturedLogs(Logs));
        builder.AddPostgres();
        builder.AddResilientHttpClients();
        builder.AddPropstreetWriteBack();
        var hub = builder.Build();
        _hubs.Add(hub);
        return hub.Services.GetRequiredService<PropstreetWriters>()["main"];
    }

    protected static PropstreetWriteResult.Written Written(PropstreetWriteResult result) =>
        Assert.IsType<PropstreetWriteResult.Written>(result);

    protected static string? Text(JsonElement record, string property) =>
        record.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    protected static IEnumerable<string> Refs(JsonElement record, string ns) =>
        record.GetProperty("externalRefs").EnumerateArray().Where(r => r.GetProperty("namespace").GetString() == ns).Select(r => r.GetProperty("id").GetString()!);

    private sealed class CapturedLogs(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(lines);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull
            {
                lines.Enqueue($"scope {state}");
                return null;
            }

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(' ', pairs.Select(p => $"{p.Key}={p.Value}")) : "";
                lines.Enqueue($"{logLevel} {formatter(state, exception)} {values} {exception}");
            }
        }
    }
}

/// <summary>
/// The real sandbox host on Kestrel with a small seed, its rate limit off unless a test sets one, and every
/// Propstreet API request recorded (method, path + query, Idempotency-Key, and its status once answered).
/// </summary>
public sealed class PropstreetSandboxHost : SandboxServer<SandboxProgram>
{
    private static readonly Dictionary<string, string?> Defaults = new()
    {
        ["Sandbox:Sizes:Leads"] = "5",
        ["Sandbox:Sizes:Contacts"] = "20",
        ["Sandbox:Sizes:Companies"] = "5",
        ["Sandbox:Sizes:Projects"] = "2",
        ["Sandbox:Sizes:ProspectsPerProject"] = "1",
        ["Sandbox:Propstreet:RateLimitPerMinute"] = "0",
    };

    private PropstreetSandboxHost(IDictionary<string, string?>? settings)
        : base(Defaults, settings)
    {
    }

    public ConcurrentQueue<ApiRequest> Requests { get; } = new();

    public static PropstreetSandboxHost Start(IDictionary<string, string?>? settings = null)
    {
        var host = new PropstreetSandboxHost(settings);
        host.StartOnKestrel();
        return host;
    }

    public IReadOnlyList<ApiRequest> RequestsTo(string method, string pathStart) =>
        [.. Requests.Where(r => r.Method == method && r.PathAndQuery.StartsWith(pathStart, StringComparison.Ordinal))];

    /// <summary>A change "in the Propstreet UI" (the control surface): stamped <c>ui</c>, not any API client's origin.</summary>
    public async Task<JsonElement> UiAsync(HttpMethod method, string path, object body)
    {
        using var response = await Control.SendAsync(new HttpRequestMessage(method, new Uri("/_sandbox/propstreet/" + path, UriKind.Relative)) { Content = JsonContent.Create(body) });
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>A GET as another API client would make it (e.g. Ingest's poller reading a list page).</summary>
    public async Task<JsonElement> ApiGetAsync(string pathAndQuery)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(pathAndQuery, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "test-reader");
        using var response = await Control.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    protected override async Task ServeAsync(HttpContext context, RequestDelegate sandbox)
    {
        var path = context.Request.Path.Value ?? "";
        if (!path.StartsWith("/api/", StringComparison.Ordinal))
        {
            await sandbox(context);
            return;
        }

        var request = new ApiRequest(context.Request.Method, path + context.Request.QueryString, context.Request.Headers["Idempotency-Key"].ToString());
        Requests.Enqueue(request);
        try
        {
            await sandbox(context);
        }
        finally
        {
            request.Status = context.Response.StatusCode;
        }
    }
}

/// <summary>One Propstreet API request as the sandbox received it and, once done, its status.</summary>
public sealed record ApiRequest(string Method, string PathAndQuery, string IdempotencyKey)
{
    public int Status { get; set; }
}
