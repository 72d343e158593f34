using Hub.Crm.HubSpot;
using Hub.Ingest.Checkpoints;
using Hub.Ingest.Leadership;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Hub.Ingest.HubSpot;

public static class HubSpotPollingSetup
{
    /// <summary>
    /// Search polling of every <c>HubSpot:Connections:{name}</c> with <c>TwoWay=true</c> (ADR 0022): its contacts,
    /// companies and deals, through the connection's <see cref="HubSpotClient"/> (<c>AddHubSpot</c> registers those)
    /// and <see cref="Observations.ObservationsSetup.AddObservationSending"/>. Nothing runs without a two-way connection.
    /// </summary>
    public static WebApplicationBuilder AddHubSpotPolling(this WebApplicationBuilder builder)
    {
        var twoWay = HubSpotSetup.Read(builder.Configuration).Where(c => c.TwoWay).ToList();
        var services = builder.Services;
        services.TryAddSingleton<CheckpointStore>();
        services.TryAddSingleton<LeaderLocks>();
        services.AddSingleton<HubSpotPoller>();
        if (twoWay.Count > 0)
            services.AddHostedService(sp => ActivatorUtilities.CreateInstance<HubSpotPollingService>(sp, (IReadOnlyList<HubSpotConnection>)twoWay));
        return builder;
    }
}
