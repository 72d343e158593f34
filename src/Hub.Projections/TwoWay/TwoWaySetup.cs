using Hub.Crm.HubSpot;
using Hub.EventStore.Writing;
using Hub.Projections.Propstreet;
using Hub.Sync.TwoWay;
using Marten;

namespace Hub.Projections.TwoWay;

/// <summary>
/// A <see cref="HubSpotTwoWay"/> subscription per HubSpot connection with <c>TwoWay=true</c>. Per connection:
/// <c>HubSpot:Connections:{name}:Propstreet</c> names the <c>Propstreet:Connections</c> entry it writes back through
/// (default: the only one), and <c>HubSpot:Connections:{name}:Ownership:{property}</c> = propstreet | hubspot | newest
/// overrides who settles simultaneous edits (docs/two-way-rules.md). Misconfiguration stops the host at start-up.
/// </summary>
public static class TwoWaySetup
{
    public static MartenServiceCollectionExtensions.MartenConfigurationExpression AddHubSpotTwoWay(
        this MartenServiceCollectionExtensions.MartenConfigurationExpression marten, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(marten);
        ArgumentNullException.ThrowIfNull(configuration);
        marten.Services.ConfigureMarten((services, store) =>
        {
            var clients = services.GetRequiredService<HubSpotClients>();
            var writer = new Lazy<EventWriter>(services.GetRequiredService<EventWriter>);
            foreach (var name in clients.Names.Where(n => clients[n].TwoWay))
            {
                var section = configuration.GetSection($"{HubSpotConnection.Section}:{name}");
                var propstreet = WriterFor(name, section["Propstreet"], services.GetService<PropstreetWriters>());
                var ownership = FieldOwnership.FromConfiguration(
                    section.GetSection("Ownership").GetChildren().ToDictionary(o => o.Key, o => o.Value ?? "", StringComparer.OrdinalIgnoreCase));
                var twoWay = new HubSpotTwoWay(clients[name], propstreet, writer, ownership,
                    services.GetRequiredService<TimeProvider>(), services.GetRequiredService<ILogger<HubSpotTwoWay>>());
                store.Projections.Subscribe(twoWay, options => options.Options.BatchSize = 500);
            }
        });
        return marten;
    }

    private static PropstreetWriter WriterFor(string hubSpotConnection, string? named, PropstreetWriters? writers)
    {
        var names = writers?.Names ?? [];
        if (named is { Length: > 0 })
            return names.Contains(named, StringComparer.Ordinal)
                ? writers![named]
                : throw new InvalidOperationException(
                    $"HubSpot:Connections:{hubSpotConnection}:Propstreet names '{named}', but Propstreet:Connections has {(names.Count == 0 ? "no connection" : string.Join(", ", names))}.");
        return names.Count == 1
            ? writers![names.First()]
            : throw new InvalidOperationException(
                $"HubSpot connection '{hubSpotConnection}' is two-way: it writes back to Propstreet, so configure Propstreet:Connections:{{name}}:BaseUrl and :Token"
                + (names.Count > 1 ? $" and name one of {string.Join(", ", names)} in HubSpot:Connections:{hubSpotConnection}:Propstreet." : "."));
    }
}
