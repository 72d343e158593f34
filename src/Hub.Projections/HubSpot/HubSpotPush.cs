using Hub.Sync.HubSpot;
using System.Collections.Concurrent;
using System.Globalization;
using Hub.Crm.HubSpot;
using Hub.EventStore.Writing;
using Hub.Sync.Records;
using Hub.Sync.TwoWay;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;

namespace Hub.Projections.HubSpot;

/// <summary>
/// Pushes the HubSpot read model to one HubSpot connection: a Marten subscription (one node at a time, progress kept
/// by the daemon) that, for each page of the log, waits until <see cref="HubSpotRecordProjection"/> has projected the
/// page, then sends what the touched records and the associations waiting on them still lack (<see cref="HubSpotPushPlan"/>):
/// batched upserts by the unique property (a repeat after a timeout updates, never duplicates), archives,
/// associations once both ends exist. Each outcome goes into the record's stream as <see cref="HubSpotPushed"/> or
/// <see cref="HubSpotPushParked"/> (a page's outcomes in one bulk append), so a restart or a rebuild never sends again
/// what HubSpot already holds. An association waiting for an end goes in the round that pushes the end or, when the
/// association came after its end was pushed but before the read model showed the end's id, once the end's outcome
/// passes by. While the projection is paused or rebuilding, this waits: no push from a read model that is behind.
/// </summary>
public sealed partial class HubSpotPush : SubscriptionBase
{
    private const int RetryRounds = 3;

    private readonly HubSpotClient _client;
    private readonly Lazy<EventWriter> _writer;
    private readonly TimeProvider _clock;
    private readonly ILogger<HubSpotPush> _logger;
    private readonly ConcurrentDictionary<string, IReadOnlyList<HubSpotAssociationLabel>> _labels = new(StringComparer.Ordinal);

    /// <param name="writer">Lazy: the writer needs the store this subscription is registered in.</param>
    public HubSpotPush(HubSpotClient client, Lazy<EventWriter> writer, TimeProvider clock, ILogger<HubSpotPush> logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _writer = writer;
        _clock = clock;
        _logger = logger;
        Name = SubscriptionName(client.Name);
        // What the read model folds, so every page the push waits for holds what it reads.
        foreach (var type in HubSpotRecordProjection.Folded)
            IncludeType(type);
    }

    public string Connection => _client.Name;

    public static string SubscriptionName(string connection) => HubSpotReadModel.PushSubscriptionName(connection);

    public override async Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(operations);
        if (page.Events.Count == 0)
            return NullChangeListener.Instance;

        await ReadModelProgress.WaitAsync(operations, page.SequenceCeiling, _clock, () => LogWaitingForReadModel(Connection, page.SequenceCeiling), cancellationToken);
        // Every stream of the page, its push outcomes included: two-way, a record can need the push again right after
        // an outcome of its own (a decision folded in between), and this is where it is seen.
        var keys = page.Events.Select(e => e.StreamKey!).Distinct(StringComparer.Ordinal).ToArray();
        var records = await CaughtUpAsync([.. await operations.LoadManyAsync<HubSpotRecord>(cancellationToken, keys)], operations, cancellationToken);
        // The associations these records are ends of: one waiting for an end's HubSpot id goes once the read model shows
        // it (the end's push outcome in this page, or pushed in this round), one made with an end's old id moves (the
        // plan sees which).
        var linked = await CaughtUpAsync(
            [.. await operations.Query<HubSpotRecord>().Where(r => r.LinkFromKey.IsOneOf(keys) || r.LinkToKey.IsOneOf(keys)).ToListAsync(cancellationToken)],
            operations, cancellationToken);

        var pending = records.Where(r => r.PendingOn(Connection))
            .Concat(linked.Where(r => r.PendingOn(Connection) || r.On(Connection)?.HubSpotId is { Length: > 0 }))
            .DistinctBy(r => r.Id, StringComparer.Ordinal)
            .ToList();
        if (pending.Count > 0)
            await PushAsync(pending, operations, $"{page.SequenceFloor}-{page.SequenceCeiling}", cancellationToken);
        return NullChangeListener.Instance;
    }

    /// <summary>
    /// The read models, each at least at its stream's version. Waiting for the read model to pass the page is not
    /// always enough: a record whose events straddle two pages was pushed in the first, and that outcome was appended
    /// after the second page was cut, so the read model can reach the second page without it. A contact created and
    /// deleted in one observation then looked never pushed, and its archive was skipped while HubSpot kept it live
    /// (the benchmark found one in 20,000). Such read models wait until the projection has folded their streams. That
    /// also keeps a record settled in an earlier page from looking pending at the version it was settled at (its
    /// outcome moved the stream), which would repeat the request and fail the page's append on the outcome's id.
    /// </summary>
    private async Task<List<HubSpotRecord>> CaughtUpAsync(List<HubSpotRecord> records, IDocumentOperations operations, CancellationToken cancellationToken)
    {
        if (records.Count == 0)
            return records;
        var versions = await StreamVersionsAsync(operations, [.. records.Select(r => r.Id)], cancellationToken);
        var behind = records.Where(r => versions.GetValueOrDefault(r.Id) > r.Version).Select(r => r.Id).ToArray();
        if (behind.Length == 0)
            return records;

        var last = await operations.Events.QueryAllRawEvents().Where(e => e.StreamKey!.IsOneOf(behind)).MaxAsync(e => e.Sequence, cancellationToken);
        await ReadModelProgress.WaitAsync(operations, last, _clock, () => LogWaitingForReadModel(Connection, last), cancellationToken);
        // A session of its own: the daemon's has an identity map, which would hand back the documents loaded before.
        await using var fresh = operations.DocumentStore.QuerySession();
        var reloaded = (await fresh.LoadManyAsync<HubSpotRecord>(cancellationToken, behind)).ToDictionary(r => r.Id, StringComparer.Ordinal);
        return [.. records.Select(r => reloaded.GetValueOrDefault(r.Id) ?? r)];
    }

    private async Task PushAsync(List<HubSpotRecord> pending, IDocumentOperations operations, string pageId, CancellationToken cancellationToken)
    {
        var ends = await EndsAsync(pending, operations, cancellationToken);
        var failures = new Dictionary<string, (HubSpotRecord Record, HubSpotError Error, int Attempts)>(StringComparer.Ordinal);
        var todo = pending;
        for (var round = 1; todo.Count > 0; round++)
        {
            var outcome = new RoundOutcome();
            var plan = HubSpotPushPlan.For(Connection, todo, ends);
            await UpsertAsync(plan.Upserts, outcome, cancellationToken);
            await ArchiveAsync(plan.Archives, outcome, cancellationToken);
            foreach (var record in plan.NothingToSend)
                outcome.Pushed(record, Connection, "", _clock);

            // Associations whose ends were pushed in this round go in the same round: those waiting for an end's id,
            // and those made with an end's old id (a deal HubSpot lost, made anew).
            foreach (var (record, pushed) in outcome.Events)
                ends[record.Id] = record.Pushed((HubSpotPushed)pushed, record.Version);
            var planned = plan.Links.Select(l => l.Record.Id).ToHashSet(StringComparer.Ordinal);
            var links = plan.Links.Concat(HubSpotPushPlan.For(Connection, todo.Where(r => r.Target?.Link is not null && !planned.Contains(r.Id)), ends).Links).ToList();
            await LinkAsync(links, outcome, cancellationToken);

            await AppendAsync(outcome.Events, $"hubspot-push:{Connection}:{pageId}:{round}", cancellationToken);

            // Per-record failures: data problems park at once; transient ones get a few more rounds, then park.
            var retry = new List<HubSpotRecord>();
            var parked = new List<(HubSpotRecord, object)>();
            foreach (var (record, error) in outcome.Failures)
            {
                var attempts = failures.TryGetValue(record.Id, out var before) ? before.Attempts + 1 : 1;
                failures[record.Id] = (record, error, attempts);
                if (error.Retryable && attempts < RetryRounds)
                    retry.Add(record);
                else
                    parked.Add((record, new HubSpotPushParked(Connection, record.Hash!, $"{error.Category}: {error.Message}", attempts, _clock.GetUtcNow())));
            }

            if (parked.Count > 0)
            {
                await AppendAsync(parked, $"hubspot-park:{Connection}:{pageId}:{round}", cancellationToken);
                LogParked(parked.Count, Connection, string.Join("; ", parked.Take(3).Select(p => $"{p.Item1.Id}: {((HubSpotPushParked)p.Item2).Reason}")));
            }

            if (retry.Count > 0 && outcome.Events.Count == 0 && parked.Count == 0 && retry.Count == todo.Count)
            {
                // Nothing at all went through: HubSpot is down or throttling hard, which is no fault of these records.
                // Wait and try the same records again (the page stays unfinished, so nothing is lost or parked).
                var pause = OutagePause.After(round);
                LogOutage(Connection, retry.Count, pause.TotalSeconds, failures[retry[0].Id].Error.Message);
                failures.Clear();
                await Task.Delay(pause, _clock, cancellationToken);
            }
            else if (retry.Count > 0)
                await Task.Delay(TimeSpan.FromSeconds(round), _clock, cancellationToken);

            todo = retry;
        }
    }

    private async Task UpsertAsync(IReadOnlyList<HubSpotRecord> upserts, RoundOutcome outcome, CancellationToken cancellationToken)
    {
        foreach (var group in upserts.GroupBy(r => (r.Target!.ObjectType, r.Target.IdProperty)))
        {
            var records = group.ToList();
            var twoWay = TwoWayTable(group.Key.ObjectType, group.Key.IdProperty) is { } table
                ? await TwoWayPushesAsync(table, group.Key.ObjectType, records, outcome, cancellationToken)
                : null;
            if (twoWay is not null)
                records = [.. records.Where(r => twoWay.ContainsKey(r.Id))];
            if (records.Count == 0)
                continue;

            var assignments = await LeadAssignmentsAsync(records, cancellationToken);
            var inputs = records.Select(r => new HubSpotUpsert(r.Target!.IdValue, Properties(r, assignments, twoWay?[r.Id]))).ToList();
            var result = await _client.UpsertAsync(group.Key.ObjectType, group.Key.IdProperty, inputs, cancellationToken);
            var byKey = result.Records.ToDictionary(r => r.Key, StringComparer.OrdinalIgnoreCase);
            foreach (var record in records)
            {
                var reply = byKey[record.Target!.IdValue];
                if (!reply.Succeeded)
                    outcome.Failed(record, reply.Error);
                else
                {
                    var assignment = assignments.GetValueOrDefault(record.Id);
                    var sent = twoWay?[record.Id];
                    outcome.Pushed(record, Connection, reply.HubSpotId!, _clock, assignment?.OwnerId, assignment is { OwnerId: null }, sent?.Synced,
                        twoWay is null ? null : reply.UpdatedAt, sent?.Send.Keys);
                }
            }
        }
    }

    /// <summary>
    /// Contacts and deals on a two-way connection (their field table): the push reads HubSpot first and leaves HubSpot's
    /// own changes to the conflict rule. Null for everything that flows one way.
    /// </summary>
    private TwoWayFields? TwoWayTable(string objectType, string idProperty) =>
        !_client.TwoWay || idProperty != HubSpotMapping.PropstreetId ? null : objectType switch
        {
            HubSpotObjectTypes.Contacts => ContactFields.Table,
            HubSpotObjectTypes.Deals => DealFields.Table,
            _ => null,
        };

    /// <summary>
    /// What each record may send given what HubSpot holds now (<see cref="TwoWayPushRule"/>), read in one batch: a
    /// contact HubSpot already holds is recorded as pushed without a request; one HubSpot deleted or merged away since
    /// the last push is left to the conflict rule (its change is on its way in). Returns the contacts to send, by
    /// stream key, with what to send.
    /// </summary>
    private async Task<Dictionary<string, TwoWayPush>> TwoWayPushesAsync(
        TwoWayFields table, string objectType, List<HubSpotRecord> records, RoundOutcome outcome, CancellationToken cancellationToken)
    {
        // Only contacts HubSpot has had can carry HubSpot edits: a first push (the initial sync) reads nothing first.
        var known = records.Where(r => !string.IsNullOrEmpty(r.On(Connection)?.HubSpotId)).Select(r => r.Target!.IdValue).ToList();
        var held = (known.Count == 0 ? [] : await _client.ReadAsync(objectType, HubSpotMapping.PropstreetId, known,
                [.. table.All.Select(f => f.Property), HubSpotMapping.PropstreetId], cancellationToken))
            .Where(o => o.Properties.GetValueOrDefault(HubSpotMapping.PropstreetId) is not null)
            .ToDictionary(o => o.Properties[HubSpotMapping.PropstreetId]!, StringComparer.OrdinalIgnoreCase);
        var sends = new Dictionary<string, TwoWayPush>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            var state = record.On(Connection);
            if (!held.TryGetValue(record.Target!.IdValue, out var current))
            {
                // Never pushed (or pushed and lost before its ledger): everything goes, and becomes the baseline.
                if (string.IsNullOrEmpty(state?.HubSpotId))
                    sends[record.Id] = TwoWayPushRule.For(table, record.Target.Properties, new Dictionary<string, string>(), baseline: null, overrides: null);
                continue;
            }

            var push = TwoWayPushRule.For(table, record.Target.Properties, table.AsRead(current.Properties), state?.Synced, state?.Overrides);
            if (push.Send.Count == 0)
                outcome.Pushed(record, Connection, current.Id, _clock, synced: push.Synced, hubSpotModifiedUtc: current.UpdatedAt);
            else
                sends[record.Id] = push;
        }

        return sends;
    }

    private static Dictionary<string, string?> Properties(HubSpotRecord record, IReadOnlyDictionary<string, LeadAssignment> assignments, TwoWayPush? twoWay)
    {
        var properties = (twoWay?.Send ?? record.Target!.Properties).ToDictionary(p => p.Key, p => (string?)p.Value, StringComparer.Ordinal);
        if (assignments.TryGetValue(record.Id, out var assignment))
        {
            properties["hubspot_owner_id"] = assignment.OwnerId ?? "";
            properties["lead_assignment"] = assignment.OwnerId is null ? LeadAssignment.Unassigned : LeadAssignment.ListingOwner;
        }

        return properties;
    }

    /// <summary>
    /// Leads go to the owner of the HubSpot listing whose <c>reference</c> is the lead's listing reference; a lead whose
    /// reference matches no listing (or an unowned one) is pushed unassigned and flagged, never held back.
    /// </summary>
    private async Task<Dictionary<string, LeadAssignment>> LeadAssignmentsAsync(IReadOnlyList<HubSpotRecord> records, CancellationToken cancellationToken)
    {
        var leads = records.Where(r => r.Target!.IdProperty == HubSpotMapping.LeadId).Select(r => (r.Id, Reference: HubSpotMapping.ListingReference(r.Target!))).ToList();
        var owners = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var batch in leads.Select(l => l.Reference).OfType<string>().Distinct(StringComparer.Ordinal).Chunk(HubSpotClient.BatchSize))
            foreach (var listing in await _client.ReadAsync("listings", "reference", batch, ["reference", "hubspot_owner_id"], cancellationToken))
                if (listing.Properties.GetValueOrDefault("reference") is { } reference)
                    owners[reference] = listing.Properties.GetValueOrDefault("hubspot_owner_id") is { Length: > 0 } owner ? owner : null;
        return leads.ToDictionary(l => l.Id, l => new LeadAssignment(l.Reference is null ? null : owners.GetValueOrDefault(l.Reference)), StringComparer.Ordinal);
    }

    private async Task ArchiveAsync(IReadOnlyList<(HubSpotRecord Record, string HubSpotId)> archives, RoundOutcome outcome, CancellationToken cancellationToken)
    {
        foreach (var candidates in archives.GroupBy(a => a.Record.Target!.ObjectType))
        {
            // Where HubSpot's deletions flow back (contacts), whether a later HubSpot edit outlives the deletion is the rule's.
            var group = TwoWayTable(candidates.Key, HubSpotMapping.PropstreetId) is { DeletionsFlowBack: true } table
                ? await WithoutHubSpotEditsAsync(table, candidates.Key, [.. candidates], cancellationToken)
                : [.. candidates];
            if (group.Count == 0)
                continue;
            var result = await _client.ArchiveAsync(candidates.Key, [.. group.Select(a => a.HubSpotId)], cancellationToken);
            var byId = result.Records.ToDictionary(r => r.Key, StringComparer.Ordinal);
            foreach (var (record, id) in group)
            {
                var reply = byId[id];
                // Already gone in HubSpot (archived or merged away by a user) is what an archive wants.
                if (reply.Succeeded || reply.Error.Category == HubSpotErrorCategory.NotFound)
                    outcome.Pushed(record, Connection, id, _clock);
                else
                    outcome.Failed(record, reply.Error);
            }
        }
    }

    /// <summary>
    /// Two-way records deleted in Propstreet that HubSpot changed since the last sync are not archived here: whether
    /// the later edit revives the record or the deletion wins is the conflict rule's (which marks the record again
    /// when the deletion wins).
    /// </summary>
    private async Task<List<(HubSpotRecord Record, string HubSpotId)>> WithoutHubSpotEditsAsync(
        TwoWayFields table, string objectType, List<(HubSpotRecord Record, string HubSpotId)> archives, CancellationToken cancellationToken)
    {
        var held = (await _client.ReadAsync(objectType, null, [.. archives.Select(a => a.HubSpotId)],
            [.. table.All.Select(f => f.Property)], cancellationToken)).ToDictionary(o => o.Id, StringComparer.Ordinal);
        return [.. archives.Where(a =>
        {
            var state = a.Record.On(Connection);
            if (state?.DeleteDecided == true || state?.Synced is not { } baseline || !held.TryGetValue(a.HubSpotId, out var current))
                return true;
            var values = table.AsRead(current.Properties);
            return table.All.All(f => table.Same(f.Property, values[f.Property], baseline.GetValueOrDefault(f.Property)));
        })];
    }

    /// <summary>
    /// Associations from deals: removed when the prospect is gone; otherwise (re)made with the portal's label for the
    /// prospect's classification (HubSpot adds the unlabeled type beside a label). One that existed before is removed
    /// first, so a changed classification or contact leaves no stale label or pair behind.
    /// </summary>
    private async Task LinkAsync(IReadOnlyList<HubSpotPlannedLink> links, RoundOutcome outcome, CancellationToken cancellationToken)
    {
        foreach (var group in links.GroupBy(l => (l.Link.ToObjectType, l.Archive)))
        {
            var toType = group.Key.ToObjectType;
            if (group.Key.Archive)
            {
                var removed = await _client.ArchiveAssociationsAsync(HubSpotObjectTypes.Deals, toType,
                    [.. group.Select(l => new HubSpotAssociation(l.FromId, l.ToId, DealAssociationType(toType)))], cancellationToken);
                foreach (var (link, result) in group.Zip(removed))
                {
                    if (result.Succeeded || result.Error.Category == HubSpotErrorCategory.NotFound)
                        outcome.Pushed(link.Record, Connection, link.LedgerId, _clock);
                    else
                        outcome.Failed(link.Record, result.Error);
                }

                continue;
            }

            var (linking, synced) = _client.TwoWay ? await WithoutHubSpotLabelEditsAsync(toType, [.. group], outcome, cancellationToken) : ([.. group], null);
            if (linking.Count == 0)
                continue;
            List<HubSpotAssociation> stale = [];
            foreach (var link in linking)
                if (HubSpotPlannedLink.TryParseLedgerId(link.Record.On(Connection)?.HubSpotId, out var heldFrom, out var heldTo))
                    stale.Add(new HubSpotAssociation(heldFrom, heldTo, DealAssociationType(toType)));
            if (stale.Count > 0)
                await _client.ArchiveAssociationsAsync(HubSpotObjectTypes.Deals, toType, stale, cancellationToken);

            var labels = await LabelsAsync(toType, cancellationToken);
            var pairs = linking.Select(l => labels.FirstOrDefault(t => HubSpotMapping.IsLabelFor(t.Label, l.Link.Label)) is { } label
                    ? new HubSpotAssociation(l.FromId, l.ToId, label.TypeId, label.Category, label.Label)
                    : new HubSpotAssociation(l.FromId, l.ToId, DealAssociationType(toType)))
                .ToList();
            var results = await _client.AssociateAsync(HubSpotObjectTypes.Deals, toType, pairs, cancellationToken);
            foreach (var (link, result) in linking.Zip(results))
            {
                if (result.Succeeded)
                    outcome.Pushed(link.Record, Connection, link.LedgerId, _clock, synced: synced?[link.Record.Id],
                        sent: synced is null ? null : [ProspectFields.Classification]);
                else
                    outcome.Failed(link.Record, result.Error);
            }
        }
    }

    /// <summary>
    /// Two-way prospects (<see cref="ProspectFields"/>): a pair whose classification label a user changed in HubSpot
    /// since the last sync is not relabelled here; the conflict rule settles it (and marks the record again when
    /// Propstreet wins). Reads the pairs HubSpot holds in one batch; returns the links to (re)make and, per record, the
    /// baseline once they are made. A pair without a classification label holds no HubSpot value and is relabelled.
    /// </summary>
    private async Task<(List<HubSpotPlannedLink> Linking, Dictionary<string, IReadOnlyDictionary<string, string>> Synced)> WithoutHubSpotLabelEditsAsync(
        string toType, List<HubSpotPlannedLink> links, RoundOutcome outcome, CancellationToken cancellationToken)
    {
        var table = ProspectFields.Table;
        var synced = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        var known = links.Where(l => l.Record.On(Connection)?.Synced is not null).Select(l => l.FromId).Distinct(StringComparer.Ordinal).ToList();
        var held = (known.Count == 0 ? [] : await _client.ListAssociationsAsync(HubSpotObjectTypes.Deals, toType, known, cancellationToken))
            .Where(a => a.Label is not null)
            .GroupBy(a => (a.FromId, a.ToId))
            .ToDictionary(g => g.Key, g => ProspectFields.FromLabels(string.Join(';', g.Select(a => a.Label))));
        var linking = new List<HubSpotPlannedLink>(links.Count);
        foreach (var link in links)
        {
            var state = link.Record.On(Connection);
            var target = new Dictionary<string, string> { [ProspectFields.Classification] = link.Link.Label ?? "" };
            var current = held.GetValueOrDefault((link.FromId, link.ToId)) ?? "";
            var push = TwoWayPushRule.For(table, target, new Dictionary<string, string> { [ProspectFields.Classification] = current },
                current.Length == 0 ? null : state?.Synced, state?.Overrides);
            synced[link.Record.Id] = push.Synced;
            // Held back, or HubSpot already holds the pair as wanted: recorded as pushed without a request.
            if (push.HeldBack.Count > 0 || (push.Send.Count == 0 && state?.HubSpotId == link.LedgerId))
                outcome.Pushed(link.Record, Connection, link.LedgerId, _clock, synced: push.Synced);
            else
                linking.Add(link);
        }

        return (linking, synced);
    }

    /// <summary>The portal's user-defined deal association labels (type ids are per portal), read once per process.</summary>
    private async Task<IReadOnlyList<HubSpotAssociationLabel>> LabelsAsync(string toType, CancellationToken cancellationToken)
    {
        if (_labels.TryGetValue(toType, out var known))
            return known;
        var labels = (await _client.GetAssociationLabelsAsync(HubSpotObjectTypes.Deals, toType, cancellationToken))
            .Where(l => l.Category == HubSpotAssociation.UserDefined).ToList();
        if (labels.Count == 0)
            LogNoLabels(Connection, toType);
        return _labels[toType] = labels;
    }

    /// <summary>HubSpot's default association types from a deal: to a contact 3, to a company 341.</summary>
    private static int DealAssociationType(string toObjectType) => toObjectType == HubSpotObjectTypes.Contacts ? 3 : 341;

    /// <summary>The read models of the associations' ends that are not in the round already.</summary>
    private static async Task<Dictionary<string, HubSpotRecord>> EndsAsync(List<HubSpotRecord> pending, IDocumentOperations operations, CancellationToken cancellationToken)
    {
        var ends = pending.ToDictionary(r => r.Id, StringComparer.Ordinal);
        var missing = pending.SelectMany(r => new[] { r.LinkFromKey, r.LinkToKey }).OfType<string>().Where(k => !ends.ContainsKey(k)).Distinct(StringComparer.Ordinal).ToArray();
        if (missing.Length > 0)
            foreach (var end in await operations.LoadManyAsync<HubSpotRecord>(cancellationToken, missing))
                ends[end.Id] = end;
        return ends;
    }

    /// <summary>
    /// Appends the outcomes to the records' streams at the versions the streams have now (read in the attempt, so a
    /// race with an observation is retried on the winner's version). Every append to a record stream names its
    /// expected version: Quick append numbers events in the database otherwise, and the inline record state would not
    /// learn the stream's version, which the observation consumer's own expected versions rely on.
    /// </summary>
    private async Task AppendAsync(IReadOnlyList<(HubSpotRecord Record, object Event)> events, string messageId, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
            return;
        var byStream = events.GroupBy(e => e.Record.Id, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(e => new PendingEvent(EventId(g.Key, e.Record, e.Event), e.Event)).ToList(), StringComparer.Ordinal);
        var decided = events.Select(e => e.Record).DistinctBy(r => r.Id, StringComparer.Ordinal).ToDictionary(r => r.Id, StringComparer.Ordinal);
        await _writer.Value.WriteAsync(messageId, async (session, ct) =>
        {
            var states = await StatesAsync(session, decided, ct);
            // With the record state after the outcomes (its version moves), so a page's outcomes go in bulk (ADR 0026).
            return [.. byStream.Where(s => states.ContainsKey(s.Key)).Select(s => new StreamEvents(s.Key, s.Value, states[s.Key].Version)
            {
                InlineState = SourceRecord.FoldAll(states[s.Key], s.Key, s.Value.Select(e => e.Data)),
            })];
        }, cancellationToken);
        ProjectionsTelemetry.HubSpotOutcomes.Add(events.Count(e => e.Event is HubSpotPushed), new KeyValuePair<string, object?>("outcome", "pushed"));
        ProjectionsTelemetry.HubSpotOutcomes.Add(events.Count(e => e.Event is HubSpotPushParked), new KeyValuePair<string, object?>("outcome", "parked"));
    }

    /// <summary>
    /// Each record's state as its stream holds it now. Where the read model that decided the push is at the stream's
    /// version, its <see cref="HubSpotRecord.Source"/> is that state (the same fold of the same record events; the
    /// ledger moves only the version), so only the versions are read; the few streams that moved since (an observation
    /// in between) load their state. Loading every state cost a 1.2 KB document per pushed record.
    /// </summary>
    private static async Task<Dictionary<string, SourceRecord>> StatesAsync(
        IDocumentSession session, Dictionary<string, HubSpotRecord> decided, CancellationToken cancellationToken)
    {
        var versions = await StreamVersionsAsync(session, [.. decided.Keys], cancellationToken);
        var states = new Dictionary<string, SourceRecord>(StringComparer.Ordinal);
        var moved = new List<string>();
        foreach (var (key, version) in versions)
        {
            if (decided[key].Version == version)
                states[key] = decided[key].Source with { Version = version };
            else
                moved.Add(key);
        }

        if (moved.Count > 0)
            foreach (var state in await session.LoadManyAsync<SourceRecord>(cancellationToken, moved))
                states[state.Id] = state;
        return states;
    }

    /// <summary>The streams' versions as their inline record states hold them: one small row each, no document.</summary>
    private static async Task<Dictionary<string, long>> StreamVersionsAsync(IQuerySession session, string[] keys, CancellationToken cancellationToken) =>
        (await session.Query<SourceRecord>().Where(r => r.Id.IsOneOf(keys)).Select(r => new StreamVersion(r.Id, r.Version)).ToListAsync(cancellationToken))
        .ToDictionary(v => v.Id, v => v.Version, StringComparer.Ordinal);

    private sealed record StreamVersion(string Id, long Version);

    /// <summary>
    /// One id per outcome of one state of the read model (the stream version it reflects, ledger events included), so a
    /// repeated page appends nothing twice, while a push the two-way rule asked for again (a restored derived value, an
    /// undone archive) at the same source version is a new outcome, not a repeat.
    /// </summary>
    private Guid EventId(string streamKey, HubSpotRecord record, object @event) => DeterministicEventId.From(
        @event is HubSpotPushed ? "hubspot.pushed" : "hubspot.parked", Connection, streamKey, record.Hash ?? "",
        record.Version.ToString(CultureInfo.InvariantCulture));

    /// <summary>What one round did: outcomes to append, failures to retry or park.</summary>
    private sealed class RoundOutcome
    {
        public List<(HubSpotRecord Record, object Event)> Events { get; } = [];

        public List<(HubSpotRecord Record, HubSpotError Error)> Failures { get; } = [];

        public void Pushed(
            HubSpotRecord record, string connection, string hubSpotId, TimeProvider clock, string? ownerId = null, bool unassigned = false,
            IReadOnlyDictionary<string, string>? synced = null, DateTimeOffset? hubSpotModifiedUtc = null, IEnumerable<string>? sent = null) =>
            Events.Add((record, new HubSpotPushed(connection, hubSpotId, record.Hash!, record.Source.Version, clock.GetUtcNow(), ownerId, unassigned, synced,
                hubSpotModifiedUtc, PlannedOnVersion: record.Version, Sent: sent is null ? null : [.. sent])));

        public void Failed(HubSpotRecord record, HubSpotError error) => Failures.Add((record, error));
    }

    [LoggerMessage(LogLevel.Warning, "HubSpot push to {Connection} waits for the HubSpot read model to reach sequence {Ceiling} (paused or rebuilding?)")]
    private partial void LogWaitingForReadModel(string connection, long ceiling);

    [LoggerMessage(LogLevel.Warning, "HubSpot connection {Connection} has no deal–{ToType} association labels; prospects are associated unlabeled (create labels named after the prospect stages)")]
    private partial void LogNoLabels(string connection, string toType);

    [LoggerMessage(LogLevel.Warning, "Parked {Count} records on HubSpot connection {Connection}: {Examples}")]
    private partial void LogParked(int count, string connection, string examples);

    [LoggerMessage(LogLevel.Warning, "HubSpot connection {Connection} took none of {Count} records ({Error}); again in {Seconds:F0} s")]
    private partial void LogOutage(string connection, int count, double seconds, string error);
}
