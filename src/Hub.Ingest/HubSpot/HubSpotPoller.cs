using System.Collections.Concurrent;
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

    // Pages of each connection's object type sent by its last successful cycle (one loop per key: no races on a set).
    private readonly ConcurrentDictionary<(string Connection, string ObjectType), HashSet<string>> _lastCycle = new();

    private readonly Counter<long> _crowded = metrics.Meter.CreateCounter<long>(
        CrowdedInstantsName, "{instant}", "Instants holding more than a search page of one object type's changes, walked by record id.");

    /// <summary>Checkpoint scope of the change search (<c>hubspot:contacts</c>); the leader lock's resource too.</summary>
    public static string SearchScope(string objectType) => $"hubspot:{objectType}";

    /// <summary>Checkpoint scope of the archived walk: the newest archive instant it sent.</summary>
    public static string ArchivedScope(string objectType) => $"hubspot:{objectType}:archived";

    /// <summary>The leader lock's resource of the association sweep (it keeps no checkpoint: each sweep reads everything).</summary>
    public const string AssociationSweepScope = "hubspot:associations";

    /// <summary>The object types a deal's associations are read for.</summary>
    private static readonly string[] AssociatedTypes = [HubSpotObservations.Contacts, HubSpotObservations.Companies];

    public async Task PollAsync(HubSpotConnection connection, string objectType, LeaderLease lease, CancellationToken cancellationToken)
    {
        var key = (connection.Name, objectType);
        var cycle = new Cycle(connection, clients[connection.Name], objectType, lease, _lastCycle.GetValueOrDefault(key) ?? []);
        var changed = await SearchChangesAsync(cycle, cancellationToken);
        var archived = await WalkArchivedAsync(cycle, cancellationToken);
        _lastCycle[key] = cycle.Pages;
        if (changed + archived > 0)
            logger.LogInformation("HubSpot {Connection}/{ObjectType}: {Changed} changed and {Archived} archived records observed", connection.Name, objectType, changed, archived);
    }

    /// <summary>
    /// Every live deal's contact and company associations, as read now (a missed <c>associationChange</c> webhook is
    /// caught here). Each pair is sent every sweep; the store appends only pairs whose labels changed.
    /// </summary>
    public async Task SweepAssociationsAsync(HubSpotConnection connection, LeaderLease lease, CancellationToken cancellationToken)
    {
        var cycle = new Cycle(connection, clients[connection.Name], HubSpotObservations.Deals, lease, []);
        var deals = new List<string>(HubSpotClient.BatchSize);
        long sent = 0;
        await EnsureLeadingAsync(cycle, AssociationSweepScope, cancellationToken);
        await foreach (var deal in cycle.Client.ListAsync(HubSpotObservations.Deals, [], archived: false, cancellationToken))
        {
            deals.Add(deal.Id);
            if (deals.Count < HubSpotClient.BatchSize)
                continue;
            sent += await SendAssociationsAsync(cycle, AssociationSweepScope, deals, cancellationToken);
            deals.Clear();
        }

        sent += await SendAssociationsAsync(cycle, AssociationSweepScope, deals, cancellationToken);
        logger.LogInformation("HubSpot {Connection}: association sweep observed {Pairs} deal associations", connection.Name, sent);
    }

    private async Task<long> SearchChangesAsync(Cycle cycle, CancellationToken cancellationToken)
    {
        var (connection, objectType) = (cycle.Connection, cycle.ObjectType);
        var scope = SearchScope(objectType);
        var modified = HubSpotObservations.LastModifiedProperty(objectType);
        var checkpoint = (await checkpoints.LoadAsync(connection.Name, scope, cancellationToken)).Watermark;

        // Search is eventually consistent: a change made just before the checkpoint may only have become findable
        // since, so every cycle starts the look-back before it. The first cycle starts at the epoch: everything.
        var anchor = checkpoint is { } at ? at - connection.InboundLookBack : DateTimeOffset.UnixEpoch;
        var exclusive = false;
        long sent = 0;
        while (true)
        {
            var page = await SearchAsync(cycle, scope, [new HubSpotFilter(modified, exclusive ? "GT" : "GTE", Millis(anchor))], modified, cancellationToken);
            if (page.Results.Count == 0)
                return sent;
            sent += await SendChangedAsync(cycle, page.Results, cancellationToken);

            var last = Modified(objectType, page.Results[^1]);
            var step = HubSpotSearchSteps.Next(anchor, last, page.After is not null);
            if (step.Kind == SearchStepKind.CrowdedInstant)
                sent += await WalkInstantAsync(cycle, step.Instant, cancellationToken);
            exclusive = step.Kind == SearchStepKind.CrowdedInstant;

            // Every record before the page's last instant is sent (ascending order); those at it come again next time.
            var reached = step.Kind == SearchStepKind.Done ? last : step.Instant;
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
    private async Task<long> WalkInstantAsync(Cycle cycle, DateTimeOffset instant, CancellationToken cancellationToken)
    {
        var modified = HubSpotObservations.LastModifiedProperty(cycle.ObjectType);
        var afterId = "0";
        long records = 0;
        long sent = 0;
        while (true)
        {
            var page = await SearchAsync(cycle, SearchScope(cycle.ObjectType),
                [new HubSpotFilter(modified, "EQ", Millis(instant)), new HubSpotFilter("hs_object_id", "GT", afterId)], "hs_object_id", cancellationToken);
            if (page.Results.Count == 0)
                break;
            sent += await SendChangedAsync(cycle, page.Results, cancellationToken);
            records += page.Results.Count;
            afterId = page.Results[^1].Id;
            if (page.After is null)
                break;
        }

        _crowded.Add(1, new KeyValuePair<string, object?>("connection", cycle.Connection.Name), new KeyValuePair<string, object?>("object_type", cycle.ObjectType));
        logger.LogWarning("HubSpot {Connection}/{ObjectType}: {Records} records share the last-modified instant {Instant:O}, more than a search page; walked them by id",
            cycle.Connection.Name, cycle.ObjectType, records, instant);
        return sent;
    }

    /// <summary>
    /// Archived records (search never shows them) archived at or after the checkpoint minus the look-back; all of them
    /// on the first cycle. The listing has no filter, so the whole of it is read every cycle; only those are sent.
    /// </summary>
    private async Task<long> WalkArchivedAsync(Cycle cycle, CancellationToken cancellationToken)
    {
        var (connection, objectType) = (cycle.Connection, cycle.ObjectType);
        var scope = ArchivedScope(objectType);
        var checkpoint = (await checkpoints.LoadAsync(connection.Name, scope, cancellationToken)).Watermark;
        var since = checkpoint - connection.InboundLookBack;
        var newest = checkpoint;
        var page = new List<HubSpotObject>(HubSpotClient.BatchSize);
        long sent = 0;
        await EnsureLeadingAsync(cycle, scope, cancellationToken);
        await foreach (var record in cycle.Client.ListAsync(objectType, HubSpotObservations.Properties(objectType), archived: true, cancellationToken))
        {
            var archivedAt = record.ArchivedAt ?? record.UpdatedAt;
            newest = SourceTimestamps.Max(newest, archivedAt);
            if (since is null || archivedAt >= since)
                page.Add(record);
            if (page.Count < HubSpotClient.BatchSize)
                continue;
            await EnsureLeadingAsync(cycle, scope, cancellationToken);
            sent += await SendAsync(cycle, page, cancellationToken);
            page.Clear();
        }

        await EnsureLeadingAsync(cycle, scope, cancellationToken);
        sent += await SendAsync(cycle, page, cancellationToken);

        // Only after the whole listing: a walk cut short leaves the checkpoint, and the next one sends it all again.
        if (newest is { } reached && reached != checkpoint)
        {
            await checkpoints.SaveCompletedAsync(connection.Name, scope, reached, cancellationToken);
            metrics.Watermark(connection.Name, scope, reached);
        }

        return sent;
    }

    private static async Task<HubSpotSearchPage> SearchAsync(Cycle cycle, string scope, IReadOnlyList<HubSpotFilter> filters, string sortBy, CancellationToken cancellationToken)
    {
        await EnsureLeadingAsync(cycle, scope, cancellationToken);
        return await cycle.Client.SearchAsync(cycle.ObjectType, new HubSpotSearch(
            [new HubSpotFilterGroup(filters)], HubSpotObservations.Properties(cycle.ObjectType), [new HubSpotSort(sortBy)], SearchLimit), cancellationToken);
    }

    /// <summary>
    /// A page of changed records; for deals also their associations, read now (a deal's associations have no instant of
    /// their own, so a deal observed is the moment to look at them). A page sent already sends neither again.
    /// </summary>
    private async Task<int> SendChangedAsync(Cycle cycle, IReadOnlyList<HubSpotObject> page, CancellationToken cancellationToken)
    {
        var sent = await SendAsync(cycle, page, cancellationToken);
        if (sent > 0 && cycle.ObjectType == HubSpotObservations.Deals)
            await SendAssociationsAsync(cycle, SearchScope(cycle.ObjectType), [.. page.Select(d => d.Id)], cancellationToken);
        return sent;
    }

    /// <summary>
    /// The deals' associations to contacts and to companies (v4 batch reads of at most 100 deals), one observation of
    /// at most 100 pairs at a time, each pair versioned by the read; returns the pairs sent.
    /// </summary>
    private async Task<int> SendAssociationsAsync(Cycle cycle, string scope, IReadOnlyList<string> dealIds, CancellationToken cancellationToken)
    {
        if (dealIds.Count == 0)
            return 0;
        var sent = 0;
        foreach (var toType in AssociatedTypes)
        {
            await EnsureLeadingAsync(cycle, scope, cancellationToken);
            var read = await cycle.Client.ListAssociationsAsync(HubSpotObservations.Deals, toType, dealIds, cancellationToken);
            foreach (var records in HubSpotObservations.Associations(toType, read, clock.GetUtcNow()).Chunk(HubSpotClient.BatchSize))
            {
                var id = PageWalker.ObservationId($"{HubSpotObservations.Source}:{cycle.Connection.Name}", HubSpotObservations.AssociationResource, records);
                await sender.SendAsync(new RecordsObserved(id, HubSpotObservations.Source, cycle.Connection.Name, HubSpotObservations.AssociationResource, "poll", clock.GetUtcNow(), records), cancellationToken);
                metrics.PageSent(new SourceConnection { Name = cycle.Connection.Name, Source = HubSpotObservations.Source }, HubSpotObservations.AssociationResource, records.Length);
                sent += records.Length;
            }
        }

        return sent;
    }

    /// <summary>
    /// One page as one observation; returns the records sent. A page the previous cycle sent already (a quiet portal's
    /// look-back reads the same records every cycle) is not sent again: the store would drop it as processed.
    /// </summary>
    private async Task<int> SendAsync(Cycle cycle, IReadOnlyList<HubSpotObject> page, CancellationToken cancellationToken)
    {
        if (page.Count == 0)
            return 0;
        var resource = HubSpotObservations.Resource(cycle.ObjectType);
        var records = page.Select(r => HubSpotObservations.Observed(cycle.ObjectType, r)).ToList();

        // Prefixed with the source: an Ingest connection may bear the same name as a HubSpot one.
        var id = PageWalker.ObservationId($"{HubSpotObservations.Source}:{cycle.Connection.Name}", resource, records);
        cycle.Pages.Add(id);
        if (cycle.Previous.Contains(id))
            return 0;
        await sender.SendAsync(new RecordsObserved(id, HubSpotObservations.Source, cycle.Connection.Name, resource, "poll", clock.GetUtcNow(), records), cancellationToken);
        metrics.PageSent(new SourceConnection { Name = cycle.Connection.Name, Source = HubSpotObservations.Source }, resource, records.Count);
        return records.Count;
    }

    private static async Task EnsureLeadingAsync(Cycle cycle, string scope, CancellationToken cancellationToken)
    {
        if (!await cycle.Lease.IsHeldAsync(cancellationToken))
            throw new LeadershipLostException(cycle.Connection.Name, scope);
    }

    private static DateTimeOffset Modified(string objectType, HubSpotObject record) =>
        HubSpotObservations.Instant(record.Properties.GetValueOrDefault(HubSpotObservations.LastModifiedProperty(objectType))) ?? record.UpdatedAt;

    private static string Millis(DateTimeOffset instant) =>
        Math.Max(0, instant.ToUnixTimeMilliseconds()).ToString(CultureInfo.InvariantCulture);

    /// <summary>One cycle of one object type: where it reads, and the pages (observation ids) it and the one before sent.</summary>
    private sealed record Cycle(HubSpotConnection Connection, HubSpotClient Client, string ObjectType, LeaderLease Lease, HashSet<string> Previous)
    {
        public HashSet<string> Pages { get; } = new(StringComparer.Ordinal);
    }
}
