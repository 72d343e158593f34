using Hub.Crm.HubSpot;
using Hub.Ingest.Leadership;
using Hub.Ingest.Polling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Hub.Ingest.HubSpot;

/// <summary>
/// One loop per two-way HubSpot connection and object type: become its leader (one Ingest process polls it; the
/// others wait and try again), then a <see cref="HubSpotPoller"/> cycle every <see cref="HubSpotConnection.InboundPollInterval"/>.
/// A failed cycle is logged and the next one starts from the unchanged checkpoint.
/// </summary>
public sealed class HubSpotPollingService(
    IReadOnlyList<HubSpotConnection> twoWay,
    LeaderLocks locks,
    HubSpotPoller poller,
    IConfiguration configuration,
    TimeProvider clock,
    ILogger<HubSpotPollingService> logger) : BackgroundService
{
    private readonly TimeSpan _leaderRetry = configuration.GetValue("Ingest:Leadership:RetryInterval", TimeSpan.FromSeconds(5));
    private readonly TimeSpan _errorBackoff = configuration.GetValue("Ingest:ErrorBackoff", TimeSpan.FromSeconds(10));

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(twoWay.SelectMany(c => HubSpotObservations.ObjectTypes.Select(t => Task.Run(() => LeadAndPollAsync(c, t, stoppingToken), stoppingToken))));

    private async Task LeadAndPollAsync(HubSpotConnection connection, string objectType, CancellationToken stoppingToken)
    {
        var resource = HubSpotPoller.SearchScope(objectType);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var lease = await locks.TryAcquireAsync(connection.Name, resource, stoppingToken);
                if (lease is null)
                {
                    await Task.Delay(_leaderRetry, clock, stoppingToken);
                    continue;
                }

                logger.LogInformation("Leading HubSpot {Connection}/{ObjectType}", connection.Name, objectType);
                while (await lease.IsHeldAsync(stoppingToken))
                {
                    await CycleAsync(connection, objectType, lease, stoppingToken);
                    await Task.Delay(connection.InboundPollInterval, clock, stoppingToken);
                }

                logger.LogWarning("Lost leadership of HubSpot {Connection}/{ObjectType}", connection.Name, objectType);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
            {
                logger.LogWarning("Leadership of HubSpot {Connection}/{ObjectType} unavailable ({Error}: {Message}); retrying", connection.Name, objectType, e.GetType().Name, e.Message);
                await Task.Delay(_errorBackoff, clock, stoppingToken);
            }
        }
    }

    private async Task CycleAsync(HubSpotConnection connection, string objectType, LeaderLease lease, CancellationToken stoppingToken)
    {
        try
        {
            await poller.PollAsync(connection, objectType, lease, stoppingToken);
        }
        catch (LeadershipLostException)
        {
            // The loop sees the broken session and stops leading.
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // Type and message only (the client's messages carry no token); HubSpot's bodies never reach the log.
            logger.LogWarning("Poll of HubSpot {Connection}/{ObjectType} failed ({Error}: {Message}); the next cycle starts from its checkpoint",
                connection.Name, objectType, e.GetType().Name, e.Message);
        }
    }
}
