using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Hub.Ingest.Observations;

public static class ObservationsSetup
{
    /// <summary>
    /// What pollers and webhook receivers share to hand observations over: the <c>hub-observations</c> queue,
    /// declared at start-up, and its sender; the <c>Hub.Ingest</c> meter; the clock.
    /// </summary>
    public static WebApplicationBuilder AddObservationSending(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IngestMetrics>();
        services.AddSingleton<ObservationSender>();
        services.AddHostedService(sp => sp.GetRequiredService<ObservationSender>());
        return builder;
    }
}
