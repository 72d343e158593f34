using Hub.Ingest.Connections;
using Hub.Ingest.Leadership;
using Hub.Ingest.PropertyFinder;
using Hub.Ingest.Propstreet;
using Hub.ServiceDefaults.Budget;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Hub.Ingest.Polling;

/// <summary>
/// One loop per connection and resource: become its leader (<see cref="LeaderLocks.LeadAsync"/>), then poll — the initial sync,
/// then a delta every <see cref="SourceConnection.Schedule"/>. A spent budget ends the run at its checkpoint and the
/// next starts when the budget allows; an error waits a back-off and retries from the checkpoint.
/// </summary>
public sealed class PollingService(
    IReadOnlyList<SourceConnection> connections,
    LeaderLocks locks,
    PropstreetPoller propstreet,
    LeadPoller leads,
    IConfiguration configuration,
    ILogger<PollingService> logger) : BackgroundService
{
    private readonly TimeSpan _errorBackoff = configuration.GetValue("Ingest:ErrorBackoff", TimeSpan.FromSeconds(10));

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(connections.Where(c => c.Poll).SelectMany(c => c.Resources.Select(r => Task.Run(() => locks.LeadAsync(c.Name, r, (lease, ct) => RunAsync(c, r, lease, ct), logger, stoppingToken), stoppingToken))));

    /// <summary>One poll run; returns how long to wait before the next.</summary>
    private async Task<TimeSpan> RunAsync(SourceConnection connection, string resource, LeaderLease lease, CancellationToken stoppingToken)
    {
        try
        {
            if (connection.Source == SourceConnection.PropertyFinder)
                await leads.PollAsync(connection, lease, stoppingToken);
            else
                await propstreet.PollAsync(connection, resource, lease, stoppingToken);
            return connection.Schedule;
        }
        catch (BudgetExhaustedException e)
        {
            logger.LogInformation("Budget of {Connection} spent; {Resource} resumes from its checkpoint in {Seconds:0.###} s", connection.Name, resource, e.RetryAfter.TotalSeconds);
            return e.RetryAfter;
        }
        catch (LeadershipLostException)
        {
            return TimeSpan.Zero;
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // Type and our own message only: source bodies never reach the log.
            logger.LogWarning("Poll of {Connection}/{Resource} failed ({Error}: {Message}); retrying from its checkpoint in {Seconds} s",
                connection.Name, resource, e.GetType().Name, e.Message, _errorBackoff.TotalSeconds);
            return _errorBackoff;
        }
    }
}
