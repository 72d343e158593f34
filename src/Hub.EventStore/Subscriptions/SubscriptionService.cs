using Microsoft.Extensions.Hosting;

namespace Hub.EventStore.Subscriptions;

/// <summary>Hosts one <see cref="SubscriptionRunner"/> for the lifetime of the application.</summary>
public sealed class SubscriptionService(SubscriptionRunner runner) : BackgroundService
{
    public SubscriptionRunner Runner => runner;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => runner.RunAsync(stoppingToken);
}
