using Hub.Crm.HubSpot;
using Hub.Ingest.Leadership;
using Hub.Ingest.Polling;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Hub.Ingest.HubSpot;

/// <summary>
/// One loop per two-way HubSpot connection and object type: become its leader (one Ingest process polls it; the
/// others wait and try again, <see cref="LeaderLocks.LeadAsync"/>), then a <see cref="HubSpotPoller"/> cycle every
/// <see cref="HubSpotConnection.InboundPollInterval"/>; and one loop per connection sweeping its deals' associations
/// every <see cref="HubSpotConnection.InboundAssociationSweep"/> (when not 0). A failed cycle is logged and the next one
/// starts from the unchanged checkpoint.
/// </summary>
public sealed class HubSpotPollingService(
    IReadOnlyList<HubSpotConnection> twoWay,
    LeaderLocks locks,
    HubSpotPoller poller,
    ILogger<HubSpotPollingService> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(twoWay.SelectMany(c => HubSpotObservations.ObjectTypes.Select(t => Task.Run(
            () => locks.LeadAsync(c.Name, HubSpotPoller.SearchScope(t), (lease, ct) => CycleAsync(c, t, lease, ct), logger, stoppingToken), stoppingToken)))
            .Concat(twoWay.Where(c => c.InboundAssociationSweep > TimeSpan.Zero).Select(c => Task.Run(
            () => locks.LeadAsync(c.Name, HubSpotPoller.AssociationSweepScope, (lease, ct) => SweepAsync(c, lease, ct), logger, stoppingToken), stoppingToken))));

    /// <summary>One association sweep; returns how long to wait before the next.</summary>
    private Task<TimeSpan> SweepAsync(HubSpotConnection connection, LeaderLease lease, CancellationToken stoppingToken) =>
        RunAsync(connection, "associations", () => poller.SweepAssociationsAsync(connection, lease, stoppingToken), connection.InboundAssociationSweep, stoppingToken);

    /// <summary>One cycle; returns how long to wait before the next.</summary>
    private Task<TimeSpan> CycleAsync(HubSpotConnection connection, string objectType, LeaderLease lease, CancellationToken stoppingToken) =>
        RunAsync(connection, objectType, () => poller.PollAsync(connection, objectType, lease, stoppingToken), connection.InboundPollInterval, stoppingToken);

    private async Task<TimeSpan> RunAsync(HubSpotConnection connection, string what, Func<Task> cycle, TimeSpan interval, CancellationToken stoppingToken)
    {
        try
        {
            await cycle();
        }
        catch (LeadershipLostException)
        {
            // The leader loop sees the broken session and stops leading.
            return TimeSpan.Zero;
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // Type and message only (the client's messages carry no token); HubSpot's bodies never reach the log.
            logger.LogWarning("Poll of HubSpot {Connection}/{ObjectType} failed ({Error}: {Message}); the next cycle starts from its checkpoint",
                connection.Name, what, e.GetType().Name, e.Message);
        }

        return interval;
    }
}
