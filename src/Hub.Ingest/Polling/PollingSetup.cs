using Hub.Ingest.Budget;
using Hub.Ingest.Checkpoints;
using Hub.Ingest.Connections;
using Hub.Ingest.Leadership;
using Hub.Ingest.PropertyFinder;
using Hub.Ingest.Propstreet;
using Hub.Ingest.Reconciliation;
using Hub.ServiceDefaults.Budget;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Http.Resilience;

namespace Hub.Ingest.Polling;

public static class PollingSetup
{
    /// <summary>The longest one attempt at a source request may take; the budget's grant lapses by then should its process die.</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(20);

    /// <summary>
    /// The source clients (budgeted, resilient) and the pollers of every configured connection (they send through
    /// <see cref="Observations.ObservationsSetup.AddObservationSending"/>). Throws at start-up when <c>Ingest:Connections</c> holds a connection that cannot work.
    /// </summary>
    public static WebApplicationBuilder AddPolling(this WebApplicationBuilder builder)
    {
        var connections = ConnectionsSetup.Read(builder.Configuration);
        var services = builder.Services;
        services.AddSingleton(connections);
        services.AddSingleton<RequestBudget>();
        services.AddTransient<BudgetHandler>();
        services.AddSingleton<CheckpointStore>();
        services.AddSingleton<LeaderLocks>();
        services.AddSingleton<PageWalker>();
        services.AddSingleton<ReconciliationPass>();
        services.AddSingleton<PropstreetPoller>();
        services.AddSingleton<LeadPoller>();

        // Singletons over named clients: one token cache and one connection pool per source.
        var retryDelay = builder.Configuration.GetValue("Ingest:Http:RetryDelay", TimeSpan.FromSeconds(2));
        AddSourceClient(services.AddHttpClient(SourceConnection.Propstreet), retryDelay);
        AddSourceClient(services.AddHttpClient(SourceConnection.PropertyFinder), retryDelay);
        services.AddSingleton(sp => new PropstreetClient(sp.GetRequiredService<IHttpClientFactory>().CreateClient(SourceConnection.Propstreet)));
        services.AddSingleton(sp => new PropertyFinderClient(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(SourceConnection.PropertyFinder), sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService<PollingService>();
        return builder;
    }

    /// <summary>
    /// Retries (on 5xx, 408, 429, timeouts and dropped connections: after the Retry-After, else exponential back-off
    /// with full jitter, <see cref="RetryDelays"/>; bounded attempts), per-attempt and total timeouts: the standard resilience handler, replacing
    /// any a default set up for every client, so there is exactly one. The budget handler sits inside it, so every
    /// attempt is counted.
    /// </summary>
    private static void AddSourceClient(IHttpClientBuilder client, TimeSpan retryDelay)
    {
        // Experimental in 10.x, and the documented way to replace a handler ConfigureHttpClientDefaults added.
#pragma warning disable EXTEXP0001
        client.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        client.AddStandardResilienceHandler(options =>
        {
            options.Retry.MaxRetryAttempts = 4;
            options.Retry.DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(
                RetryDelays.Next(args.AttemptNumber, retryDelay, Random.Shared.NextDouble(), args.Outcome.Result, DateTimeOffset.UtcNow));
            options.AttemptTimeout.Timeout = AttemptTimeout;
            options.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(90);
            options.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(60);
        });
        client.AddHttpMessageHandler<BudgetHandler>();
    }
}
