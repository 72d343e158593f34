using System.Collections.Concurrent;
using System.Globalization;
using Hub.Crm.HubSpot;
using Hub.ServiceDefaults.Http;
using Hub.ServiceDefaults.Postgres;
using Hub.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hub.Crm.Tests.HubSpot;

/// <summary>
/// Each test gets a database (the shared burst budget lives there; no other host has made any schema in it) and a
/// HubSpot sandbox of its own. <see cref="StartHub"/> builds a hub host the way Hub.Projections does — PostgreSQL,
/// the resilient HTTP defaults, <c>AddHubSpot</c> — and hands out its client of connection <c>main</c>; several
/// such hosts with one token stand for several pods.
/// </summary>
public abstract class HubSpotTest : IAsyncLifetime
{
    private readonly List<WebApplication> _hubs = [];

    protected PostgresDatabase Database { get; private set; } = null!;

    protected HubSpotSandboxHost Sandbox { get; private set; } = null!;

    /// <summary>Everything any hub host logged, at every level.</summary>
    protected ConcurrentQueue<string> Logs { get; } = new();

    protected virtual IDictionary<string, string?> SandboxSettings => new Dictionary<string, string?>();

    public async Task InitializeAsync()
    {
        Database = await PostgresDatabase.CreateAsync(GetType().Name);
        Sandbox = HubSpotSandboxHost.Start(SandboxSettings);
    }

    public async Task DisposeAsync()
    {
        foreach (var hub in _hubs)
            await hub.DisposeAsync();
        await Sandbox.DisposeAsync();
        await Database.DisposeAsync();
    }

    protected HubSpotClient StartHub(IDictionary<string, string?>? connection = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration["ConnectionStrings:Postgres"] = Database.ConnectionString;
        var settings = new Dictionary<string, string?>
        {
            ["BaseUrl"] = Sandbox.BaseUrl.ToString(),
            ["AccessToken"] = Sandbox.Token,
            ["RequestTimeoutSeconds"] = "10",
            ["RetryBaseDelaySeconds"] = "0.2",
        };
        foreach (var (key, value) in connection ?? new Dictionary<string, string?>())
            settings[key] = value;
        foreach (var (key, value) in settings)
            builder.Configuration[$"{HubSpotConnection.Section}:main:{key}"] = value;

        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Trace).AddProvider(new CapturedLogs(Logs));
        builder.AddPostgres();
        builder.AddResilientHttpClients();
        builder.AddHubSpot();
        var hub = builder.Build();
        _hubs.Add(hub);
        return hub.Services.GetRequiredService<HubSpotClients>()["main"];
    }

    protected static Dictionary<string, string?> Properties(params (string Name, string? Value)[] properties) =>
        properties.ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);

    protected static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Every record of the type the sandbox holds, live and archived, read through the client under test's list.</summary>
    protected static async Task<List<HubSpotObject>> AllAsync(HubSpotClient client, string objectType, params string[] properties)
    {
        var all = new List<HubSpotObject>();
        foreach (var archived in new[] { false, true })
        {
            await foreach (var record in client.ListAsync(objectType, properties, archived))
                all.Add(record);
        }

        return all;
    }

    private sealed class CapturedLogs(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull
            {
                lines.Enqueue($"scope {category} {state}");
                return null;
            }

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(' ', pairs.Select(p => $"{p.Key}={p.Value}")) : "";
                lines.Enqueue($"{logLevel} {category} {formatter(state, exception)} {values} {exception}");
            }
        }
    }
}
