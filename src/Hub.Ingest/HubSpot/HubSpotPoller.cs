using System.Diagnostics.Metrics;
using System.Globalization;
using Hub.Contracts.Observations;
using Hub.Crm.HubSpot;
using Hub.Ingest.Checkpoints;
using Hub.Ingest.Connections;
using Hub.Ingest.Leadership;
using Hub.Ingest.Observations;
using Hub.Ingest.Polling;
using Microsoft.Extensions.Logging;

namespace Hub.Ingest.HubSpot;

/// <summary>
/// One poll cycle of one object type of a two-way HubSpot portal (ADR 0022): the records changed since the checkpoint
/// minus the look-back, found by search, then the archived records, found by walking the archived listing. Each page
/// becomes one <see cref="RecordsObserved"/> (channel <c>poll</c>); a checkpoint moves only after the broker confirmed
/// what it covers, so a failed cycle is repeated from where the last one stood and nothing is skipped.
/// </summary>
public sealed class HubSpotPoller(
    HubSpotClients clients,
    CheckpointStore checkpoints,
    ObservationSender sender,
    IngestMetrics metrics,
    TimeProvider clock,
    ILogger<HubSpotPoller> logger)
{
    public const string CrowdedInstantsName = "hub.ingest.hubspot.crowded_instants";

    /// <summary>HubSpot's largest search page.</summary>
    public const int SearchLimit = 200;

    private readonly Counter<long> _crowded = metrics.Meter.CreateCounter<long>(
        CrowdedInstantsName, "{instant}", "Instants holding more than a search page of one object type's changes, walked by record id.");

    /// <summary>Checkpoint scope of the change search (<c>hubspot:contacts</c>); the leader lock's resource too.</summary>
    public static string SearchScope(string objectType) => $"hubspot:{objectType}";

    /// <summary>Checkpoint scope of the archived walk: the newest archive instant it sent.</summary>
    public static string ArchivedScope(string objectType) => $"hubspot:{objectType}:archived";

    public async Task PollAsync(HubSpotConnection connection, string objectType, LeaderLease lease, CancellationToken cancellationToken)
    {
        var client = clients[connection.Name];
        var changed = await SearchChangesAsync(connection, client, objectType, lease, cancellationToken);
        var archived = await WalkArchivedAsync(connection, client, objectType, lease, cancellationToken);
        if (changed + archived > 0)
            logger.LogInformation("HubSpot {Connection}/{ObjectType}: {Changed} changed and {Archived} archived records observed", connection.Name, objectType, changed, archived);
    }

    private async Task<long> SearchChangesAsync(HubSpotConnection connection, HubSpotClient client, string objectType, LeaderLease lease, CancellationToken cancellationToken)
    {
        var scope = SearchScope(objectType);
        var modified = HubSpotObservations.LastModifiedProperty(objectType);
        var properties = HubSpotObservations.Properties(objectType);
        var checkpoint = (await checkpoints.LoadAsync(connection.Name, scope, cancellationToken)).Watermark;

        // Search is eventually consistent: a change made just before the checkpoint may only have become findable
        // since, so every cycle starts the look-back before it. The first cycle starts at the epoch: everything.
        var anchor = checkpoint is { } at ? at - connection.InboundLookBack : DateTimeOffset.UnixEpoch;
        var exclusive = false;
        long sent = 0;
        while (true)
        {
            await EnsureLeadingAsync(connection, scope, lease, cancellationToken);
            var page = await client.SearchAsync(objectType, new HubSpotSearch(
                [new HubSpotFilterGroup([new HubSpotFilter(modified, exclusive ? "GT" : "GTE", Millis(anchor))])],
                properties, [new HubSpotSort(modified)], SearchLimit), cancellationToken);
            if (page.Results.Count == 0)
                return sent;
            await SendAsync(connection, objectType, page.Results, cancellationToken);
            sent += page.Results.Count;

            var step = HubSpotSearchSteps.Next(anchor, Modified(objectType, page.Results[^1]), page.After is not null);
            if (step.Kind == SearchStepKind.CrowdedInstant)
            {
                sent += await WalkInstantAsync(connection, client, objectType, step.Instant, lease, cancellationToken);
                exclusive = true;
            }
            else
            {
                exclusive = false;
            }

            // Every record before the page's last instant is sent (ascending order); those at it come again next time.
            var reached = step.Kind == SearchStepKind.Done ? Modified(objectType, page.Results[^1]) : step.Instant;
            if (checkpoint is null || reached > checkpoint)
            {
                await checkpoints.SaveCompletedAsync(connection.Name, scope, reached, cancellationToken);
                metrics.Watermark(connection.Name, scope, reached);
                checkpoint = reached;
            }

            if (step.Kind == SearchStepKind.Done)
                return sent;
            anchor = step.Instant;
        }
    }

    /// <summary>
    /// Every record last modified at <paramref name="instant"/>, by ascending id, each query starting after the last id
    /// seen (keyset: no offset, so no cap however many share the instant).
    /// </summary>
    private async Task<long> WalkInstantAsync(HubSpotConnection connection, HubSpotClient client, string objectType, DateTimeOffset instant, LeaderLease lease, CancellationToken cancellationToken)
    {
        var modified = HubSpotObservations.LastModifiedProperty(objectType);
        var properties = HubSpotObservations.Properties(objectType);
        var afterId = "0";
        long sent = 0;
        while (true)
        {
            await EnsureLeadingAsync(connection, SearchScope(objectType), lease, cancellationToken);
            var page = await client.SearchAsync(objectType, new HubSpotSearch(
                [new HubSpotFilterGroup([new HubSpotFilter(modified, "EQ", Millis(instant)), new HubSpotFilter("hs_object_id", "GT", afterId)])],
                properties, [new HubSpotSort("hs_object_id")], SearchLimit), cancellationToken);
            if (page.Results.Count > 0)
            {
                await SendAsync(connection, objectType, page.Results, cancellationToken);
                sent += page.Results.Count;
                afterId = page.Results[^1].Id;
            }

            if (page.Results.Count == 0 || page.After is null)
                break;
        }

        _crowded.Add(1, new KeyValuePair<string, object?>("connection", connection.Name), new KeyValuePair<string, object?>("object_type", objectType));
        logger.LogWarning("HubSpot {Connection}/{ObjectType}: {Records} records share the last-modified instant {Instant:O}, more than a search page; walked them by id",
            connection.Name, objectType, sent, instant);
        return sent;
    }

    /// <summary>
    /// Archived records (search never shows them) archived at or after the checkpoint minus the look-back; all of them
    /// on the first cycle. The listing has no filter, so the whole of it is read every cycle; only those are sent.
    /// </summary>
    private async Task<long> WalkArchivedAsync(HubSpotConnection connection, HubSpotClient client, string objectType, LeaderLease lease, CancellationToken cancellationToken)
    {
        var scope = ArchivedScope(objectType);
        var checkpoint = (await checkpoints.LoadAsync(connection.Name, scope, cancellationToken)).Watermark;
        var since = checkpoint - connection.InboundLookBack;
        var newest = checkpoint;
        var page = new List<HubSpotObject>(HubSpotClient.BatchSize);
        long sent = 0;
        await EnsureLeadingAsync(connection, scope, lease, cancellationToken);
        await foreach (var record in client.ListAsync(objectType, HubSpotObservations.Properties(objectType), archived: true, cancellationToken))
        {
            var archivedAt = record.ArchivedAt ?? record.UpdatedAt;
            newest = SourceTimestamps.Max(newest, archivedAt);
            if (since is null || archivedAt >= since)
                page.Add(record);
            if (page.Count < HubSpotClient.BatchSize)
                continue;
            await EnsureLeadingAsync(connection, scope, lease, cancellationToken);
            await SendAsync(connection, objectType, page, cancellationToken);
            sent += page.Count;
            page.Clear();
        }

        if (page.Count > 0)
        {
            await SendAsync(connection, objectType, page, cancellationToken);
            sent += page.Count;
        }

        // Only after the whole listing: a walk cut short leaves the checkpoint, and the next one sends it all again.
        if (newest is { } reached && reached != checkpoint)
        {
            await checkpoints.SaveCompletedAsync(connection.Name, scope, reached, cancellationToken);
            metrics.Watermark(connection.Name, scope, reached);
        }

        return sent;
    }

    private async Task SendAsync(HubSpotConnection connection, string objectType, IReadOnlyList<HubSpotObject> page, CancellationToken cancellationToken)
    {
        var resource = HubSpotObservations.Resource(objectType);
        var records = page.Select(r => HubSpotObservations.Observed(objectType, r)).ToList();

        // Prefixed with the source: an Ingest connection may bear the same name as a HubSpot one.
        var id = PageWalker.ObservationId($"{HubSpotObservations.Source}:{connection.Name}", resource, records);
        await sender.SendAsync(new RecordsObserved(id, HubSpotObservations.Source, connection.Name, resource, "poll", clock.GetUtcNow(), records), cancellationToken);
        metrics.PageSent(new SourceConnection { Name = connection.Name, Source = HubSpotObservations.Source }, resource, records.Count);
    }

    private static async Task EnsureLeadingAsync(HubSpotConnection connection, string scope, LeaderLease lease, CancellationToken cancellationToken)
    {
        if (!await lease.IsHeldAsync(cancellationToken))
            throw new LeadershipLostException(connection.Name, scope);
    }

    private static DateTimeOffset Modified(string objectType, HubSpotObject record) =>
        HubSpotObservations.Instant(record.Properties.GetValueOrDefault(HubSpotObservations.LastModifiedProperty(objectType))) ?? record.UpdatedAt;

    private static string Millis(DateTimeOffset instant) =>
        Math.Max(0, instant.ToUnixTimeMilliseconds()).ToString(CultureInfo.InvariantCulture);
}
