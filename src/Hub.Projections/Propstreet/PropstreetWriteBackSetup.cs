using Hub.ServiceDefaults.Http;
using Hub.ServiceDefaults.Budget;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;

namespace Hub.Projections.Propstreet;

/// <summary>The Propstreet writers of every configured connection, by name.</summary>
public sealed class PropstreetWriters(IReadOnlyDictionary<string, PropstreetWriter> writers)
{
    public IReadOnlyCollection<string> Names => [.. writers.Keys];

    public PropstreetWriter this[string name] =>
        writers.TryGetValue(name, out var writer) ? writer : throw new KeyNotFoundException($"No Propstreet connection '{name}' is configured (Propstreet:Connections:{name}).");
}

public static class PropstreetWriteBackSetup
{
    /// <summary>
    /// A <see cref="PropstreetWriter"/> per <c>Propstreet:Connections:{name}</c> (also as a keyed service by name) and
    /// <see cref="PropstreetWriters"/>. Needs the host's <c>NpgsqlDataSource</c> (<c>AddPostgres</c>) for the request
    /// budget it shares with Ingest. Throws at start-up naming each connection that cannot work. The writer decides its
    /// own retries (429 pauses the shared budget, budget waits outside the attempt timeout, the same bytes per attempt),
    /// so its HttpClient opts out of the standard resilience handler <c>AddResilientHttpClients</c> gives every other
    /// client: a second retry layer would bypass the budget.
    /// </summary>
    public static WebApplicationBuilder AddPropstreetWriteBack(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var connections = Read(builder.Configuration);
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RequestBudget>();
        foreach (var connection in connections)
        {
            var httpName = services.AddSelfRetryingHttpClient($"propstreet-writer:{connection.Name}");
            services.AddKeyedSingleton(connection.Name, (sp, _) => new PropstreetWriter(new PropstreetSender(
                sp.GetRequiredService<IHttpClientFactory>().CreateClient(httpName),
                connection,
                sp.GetRequiredService<RequestBudget>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger<PropstreetWriter>())));
        }

        services.AddSingleton(sp => new PropstreetWriters(connections.ToDictionary(c => c.Name, c => sp.GetRequiredKeyedService<PropstreetWriter>(c.Name), StringComparer.Ordinal)));
        return builder;
    }

    /// <summary>Every connection under <c>Propstreet:Connections</c>; throws naming each one that cannot work (never printing a token).</summary>
    public static IReadOnlyList<PropstreetConnection> Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var connections = new List<PropstreetConnection>();
        var problems = new List<string>();
        foreach (var section in configuration.GetSection(PropstreetConnection.Section).GetChildren())
        {
            var connection = new PropstreetConnection();
            section.Bind(connection);
            connection.Name = section.Key;
            connections.Add(connection);
            problems.AddRange(connection.Validate().Select(p => $"{PropstreetConnection.Section}:{section.Key}: {p}"));
        }

        return problems.Count == 0
            ? connections
            : throw new InvalidOperationException("Propstreet write-back configuration is invalid:" + Environment.NewLine + string.Join(Environment.NewLine, problems));
    }
}
