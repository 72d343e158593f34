using Hub.ServiceDefaults.Http;
using Hub.ServiceDefaults.Budget;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;

namespace Hub.Crm.HubSpot;

/// <summary>The HubSpot clients of every configured connection, by name.</summary>
public sealed class HubSpotClients(IReadOnlyDictionary<string, HubSpotClient> clients)
{
    public IReadOnlyCollection<string> Names => [.. clients.Keys];

    public HubSpotClient this[string name] =>
        clients.TryGetValue(name, out var client) ? client : throw new KeyNotFoundException($"No HubSpot connection '{name}' is configured (HubSpot:Connections:{name}).");
}

public static class HubSpotSetup
{
    /// <summary>
    /// A <see cref="HubSpotClient"/> per <c>HubSpot:Connections:{name}</c> (also as a keyed service by name) and
    /// <see cref="HubSpotClients"/>. Needs the host's <c>NpgsqlDataSource</c> (<c>AddPostgres</c>) for the shared
    /// burst budget. Throws at start-up when a connection cannot work. The client decides its own retries (which
    /// requests are idempotent, how long a 429 waits, budget waits outside the attempt timeout), so its HttpClient
    /// opts out of the standard resilience handler that <c>AddResilientHttpClients</c> gives every other client:
    /// a second retry layer would resend batch creates and bypass the budget.
    /// </summary>
    public static WebApplicationBuilder AddHubSpot(this WebApplicationBuilder builder)
    {
        var connections = Read(builder.Configuration);
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RequestBudget>();
        services.TryAddSingleton<HubSpotMetrics>();
        foreach (var connection in connections)
        {
            var httpName = services.AddSelfRetryingHttpClient($"hubspot:{connection.Name}");
            services.AddKeyedSingleton(connection.Name, (sp, _) => new HubSpotClient(new HubSpotSender(
                sp.GetRequiredService<IHttpClientFactory>().CreateClient(httpName),
                connection,
                sp.GetRequiredService<RequestBudget>(),
                sp.GetRequiredService<HubSpotMetrics>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger<HubSpotClient>())));
        }

        services.AddSingleton(sp => new HubSpotClients(connections.ToDictionary(c => c.Name, c => sp.GetRequiredKeyedService<HubSpotClient>(c.Name), StringComparer.Ordinal)));
        return builder;
    }

    /// <summary>Every connection under <c>HubSpot:Connections</c>; throws naming each one that cannot work (never printing a token).</summary>
    public static IReadOnlyList<HubSpotConnection> Read(IConfiguration configuration)
    {
        var connections = new List<HubSpotConnection>();
        var problems = new List<string>();
        foreach (var section in configuration.GetSection(HubSpotConnection.Section).GetChildren())
        {
            var connection = new HubSpotConnection();
            section.Bind(connection);
            connection.Name = section.Key;
            connections.Add(connection);
            problems.AddRange(connection.Validate().Select(p => $"{HubSpotConnection.Section}:{section.Key}: {p}"));
        }

        return problems.Count == 0 ? connections : throw new InvalidOperationException(string.Join(Environment.NewLine, problems));
    }
}
