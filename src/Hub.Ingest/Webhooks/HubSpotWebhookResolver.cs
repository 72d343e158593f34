using System.Text.Json;
using Hub.Contracts.Observations;
using Hub.Crm.HubSpot;
using Hub.Ingest.HubSpot;
using Hub.Ingest.Observations;

namespace Hub.Ingest.Webhooks;

/// <summary>
/// Turns the HubSpot events in the inbox into observations, behind the receiver's 200: claims due events, reads the
/// changed records from HubSpot (one batch read per object type), sends one <see cref="RecordsObserved"/> per
/// resource and waits for the broker's confirm, then marks the events done. A failure (HubSpot unreachable, the
/// broker down) leaves them in the inbox, due again after a back-off; a crash leaves them leased until the lease
/// runs out. Woken by the receiver, and every few seconds for retries and other pods' events (ADR 0023).
/// </summary>
public sealed partial class HubSpotWebhookResolver(
    HubSpotWebhookInbox inbox,
    HubSpotClients clients,
    ObservationSender sender,
    HubSpotWebhookMetrics metrics,
    TimeProvider clock,
    ILogger<HubSpotWebhookResolver> logger) : BackgroundService
{
    private const int ClaimLimit = HubSpotWebhookEvents.MaxEvents;
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan IdleWait = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan KeepDone = TimeSpan.FromDays(3);

    private readonly SemaphoreSlim _wake = new(0, 1);
    private DateTimeOffset _purgedUtc;

    /// <summary>New events are in the inbox: resolve them now rather than at the next idle tick.</summary>
    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken.
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await ResolveDueAsync(stoppingToken) == 0)
                {
                    await PurgeAsync(stoppingToken);
                    await _wake.WaitAsync(IdleWait, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
            {
                // The database is away: nothing was claimed or the lease will run out; try again shortly.
                LogInboxUnavailable(logger, e);
                await Task.Delay(IdleWait, clock, stoppingToken);
            }
        }
    }

    /// <summary>Resolves one claim of due events; returns how many were claimed.</summary>
    public async Task<int> ResolveDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var claimed = await inbox.ClaimAsync(now, now + Lease, ClaimLimit, ct);
        foreach (var connection in claimed.GroupBy(e => e.Connection, StringComparer.Ordinal))
            await ResolveAsync(connection.Key, [.. connection], ct);
        return claimed.Count;
    }

    private async Task ResolveAsync(string connection, IReadOnlyList<HubSpotInboxEvent> claimed, CancellationToken ct)
    {
        var ids = claimed.Select(e => e.EventId).ToList();
        try
        {
            var events = claimed.Select(e => Parse(e.Event)).ToList();
            var client = clients[connection];
            var read = new Dictionary<(string, string), HubSpotObject>();
            foreach (var (objectType, objectIds) in HubSpotWebhookEvents.ToRead(events))
            {
                // A merged-away id reads as the record it lives on now: keep only records found under their own id.
                foreach (var record in await client.ReadAsync(objectType, null, objectIds, HubSpotObservations.Properties(objectType), ct))
                    read[(objectType, record.Id)] = record;
            }

            // Associations have no instant of their own: the read is their version, so they are read after the records.
            var associations = new Dictionary<string, IReadOnlyList<HubSpotAssociation>>(StringComparer.Ordinal);
            foreach (var (toType, dealIds) in HubSpotWebhookEvents.AssociationsToRead(events))
                associations[toType] = await client.ListAssociationsAsync(HubSpotObservations.Deals, toType, dealIds, ct);

            var receivedUtc = clock.GetUtcNow();
            var observed = HubSpotWebhookEvents.Observe(events, read).ToList();
            if (HubSpotWebhookEvents.ObserveAssociations(events, associations, receivedUtc) is { Count: > 0 } pairs)
                observed.Add((HubSpotObservations.AssociationResource, pairs));
            foreach (var (resource, records) in observed)
            {
                var answered = events.Where(e => HubSpotWebhookEvents.Resource(e) == resource).Select(e => e.EventId);
                await sender.SendAsync(new RecordsObserved(
                    HubSpotWebhookEvents.ObservationId(connection, resource, answered), HubSpotObservations.Source, connection, resource, "webhook", receivedUtc, records), ct);
                metrics.Resolved(connection, resource, records.Count);
            }

            // Confirmed by the broker: mark them done even when stopping, so they are not sent again.
            await inbox.DoneAsync(connection, ids, clock.GetUtcNow(), CancellationToken.None);
            LogResolved(logger, claimed.Count, connection);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping: hand the events back rather than leave them leased (another pod takes them now).
            await inbox.ReleaseAsync(connection, ids, clock.GetUtcNow(), CancellationToken.None);
            throw;
        }
        catch (Exception e)
        {
            var attempts = claimed.Max(c => c.Attempts) + 1;
            var delay = TimeSpan.FromSeconds(Math.Min(Math.Pow(2, attempts - 1), MaxRetryDelay.TotalSeconds));
            metrics.ResolveFailed(connection);
            LogResolveFailed(logger, claimed.Count, connection, attempts, delay, e);
            await inbox.FailedAsync(connection, ids, clock.GetUtcNow() + delay, $"{e.GetType().Name}: {e.Message}", CancellationToken.None);
        }
    }

    private static HubSpotWebhookEvent Parse(string stored)
    {
        using var document = JsonDocument.Parse(stored);
        return HubSpotWebhookEvents.Parse(document.RootElement.Clone()).Event
            ?? throw new InvalidOperationException("An inbox event this code cannot map; it was mapped when it was accepted.");
    }

    private async Task PurgeAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (now - _purgedUtc < TimeSpan.FromHours(1))
            return;
        _purgedUtc = now;
        await inbox.PurgeAsync(now - KeepDone, ct);
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Resolved {Count} HubSpot webhook events of {Connection}")]
    private static partial void LogResolved(ILogger logger, int count, string connection);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Resolving {Count} HubSpot webhook events of {Connection} failed (attempt {Attempt}); retrying in {Delay}")]
    private static partial void LogResolveFailed(ILogger logger, int count, string connection, int attempt, TimeSpan delay, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The HubSpot webhook inbox is unavailable; retrying")]
    private static partial void LogInboxUnavailable(ILogger logger, Exception exception);
}
