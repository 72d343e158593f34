using System.Globalization;
using System.Text.Json;
using Hub.Contracts.Observations;
using Hub.Crm.HubSpot;
using Hub.EventStore.Writing;
using Hub.Projections.HubSpot;
using Hub.Projections.Propstreet;
using Hub.Projections.Records;
using Hub.Sync.HubSpot;
using Hub.Sync.Records;
using Hub.Sync.TwoWay;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using static Hub.Projections.Propstreet.PropstreetWriteResult;

namespace Hub.Projections.TwoWay;

/// <summary>
/// Settles HubSpot's contact changes against Propstreet on one two-way HubSpot connection (ADR 0021): a Marten
/// subscription (one node at a time) over the <c>hubspot-contact-*</c> streams Ingest fills. For each changed HubSpot
/// contact it finds the Propstreet contact it stands for (<c>propstreet_id</c>), decides field by field
/// (<see cref="TwoWayMerge"/>, both sides' per-field clocks, the last synced values, the ownership table), writes
/// HubSpot's winners to Propstreet with If-Match (a 412 refetches, decides again, retries), and records the decision,
/// Propstreet's new state and the new baseline in the Propstreet contact's stream in one transaction. Propstreet's
/// winners go out through <see cref="HubSpotPush"/>, which the decision marks. A HubSpot change the hub itself wrote
/// decides nothing (both sides already agree): no write, no event, no ping-pong.
/// </summary>
public sealed partial class HubSpotTwoWay : SubscriptionBase
{
    private const string PropstreetSource = "propstreet";
    private const string HubSpotSource = "hubspot";
    private const string Contact = "contact";
    private const string Deal = "deal";
    private const string Association = "association";
    private const string LeadIdProperty = HubSpotMapping.LeadId;
    private const string MergedInto = "hub_merged_into";
    private const string PrivacyDeleted = "hub_privacy_deleted";

    /// <summary>Writes that meet a newer Propstreet record (412) are decided again at most this often before parking.</summary>
    private const int MaxAttempts = 4;

    /// <summary>What a HubSpot record stands for in Propstreet: the Propstreet resource and the field table that settles them.</summary>
    private sealed record Kind(string PropstreetResource, TwoWayFields Table)
    {
        public static Kind Contact { get; } = new(HubSpotTwoWay.Contact, ContactFields.Table);

        public static Kind Deal { get; } = new("project", DealFields.Table);

        public static Kind Prospect { get; } = new("prospect", ProspectFields.Table);

        /// <summary>The id the push's ledger knows the HubSpot record by: an association's is its pair, {dealId}-{toId}.</summary>
        public string HubSpotId(SourceRecord hubSpot) => this == Prospect
            ? $"{HubSpotTwoWay.Text(hubSpot.Fields, "dealId")}-{HubSpotTwoWay.Text(hubSpot.Fields, "toObjectId")}"
            : hubSpot.RecordId;
    }

    private readonly HubSpotClient _hubspot;
    private readonly PropstreetWriter _propstreet;
    private readonly Lazy<EventWriter> _writer;
    private readonly FieldOwnership _ownership;
    private readonly TimeProvider _clock;
    private readonly ILogger<HubSpotTwoWay> _logger;

    public HubSpotTwoWay(HubSpotClient hubspot, PropstreetWriter propstreet, Lazy<EventWriter> writer, FieldOwnership ownership, TimeProvider clock, ILogger<HubSpotTwoWay> logger)
    {
        ArgumentNullException.ThrowIfNull(hubspot);
        _hubspot = hubspot;
        _propstreet = propstreet;
        _writer = writer;
        _ownership = ownership;
        _clock = clock;
        _logger = logger;
        Name = SubscriptionName(hubspot.Name);
        IncludeType<RecordCreated>();
        IncludeType<RecordUpdated>();
        IncludeType<RecordDeleted>();
        IncludeType<RecordRevived>();
    }

    public string Connection => _hubspot.Name;

    public static string SubscriptionName(string connection) => $"HubSpotTwoWay-{connection}";

    public override async Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(operations);
        var changed = page.Events
            .Where(e => e.Data is IRecordEvent { Source: HubSpotSource, Resource: Contact or Deal or Association } r && r.Connection == Connection)
            .Select(e => e.StreamKey!).Distinct(StringComparer.Ordinal).ToList();
        if (changed.Count == 0)
            return NullChangeListener.Instance;

        // Decisions read the baseline from the HubSpot read model, which must have caught up with this page.
        await ReadModelProgress.WaitAsync(operations, page.SequenceCeiling, _clock, () => LogWaitingForReadModel(Connection, page.SequenceCeiling), cancellationToken);
        foreach (var key in changed)
        {
            for (var round = 1; ; round++)
            {
                try
                {
                    await SettleAsync(key, operations, cancellationToken);
                    break;
                }
                catch (Exception e) when (e is SideUnavailableException or HubSpotException)
                {
                    // Down or throttling is no fault of the record: the same record again after a pause, nothing skipped.
                    var pause = OutagePause.After(round);
                    LogUnavailable(Connection, key, pause.TotalSeconds, e.Message);
                    await Task.Delay(pause, _clock, cancellationToken);
                }
            }
        }

        return NullChangeListener.Instance;
    }

    private async Task SettleAsync(string hubSpotKey, IDocumentOperations operations, CancellationToken cancellationToken)
    {
        var hubSpotStates = await StatesAsync(operations, hubSpotKey, cancellationToken);
        if (hubSpotStates.Count == 0)
            return;
        var hubSpot = hubSpotStates[^1];
        switch (hubSpot.Resource)
        {
            case Deal:
                await SettleDealAsync(hubSpot, hubSpotStates, operations, cancellationToken);
                return;
            case Association:
                await SettleProspectAsync(hubSpot, hubSpotStates, operations, cancellationToken);
                return;
        }

        // Contacts the hub made from Property Finder leads flow one way.
        if (hubSpotStates.Any(s => Text(s.Fields, LeadIdProperty).Length > 0))
            return;

        var propstreetId = hubSpotStates.Select(s => Text(s.Fields, HubSpotMapping.PropstreetId)).LastOrDefault(id => id.Length > 0);
        if (Text(hubSpot.Fields, MergedInto) is { Length: > 0 } primary)
        {
            if (propstreetId is not null)
                _ = await FollowMergeAsync(hubSpot.RecordId, primary, propstreetId, hubSpot.DeletedUtc ?? _clock.GetUtcNow(), operations, cancellationToken);
            return;
        }

        // A primary names the records merged into it (polling sees only the primary): the contacts pushed to those
        // follow it. The primary's next observation (with the Propstreet id it was given) is settled as usual; this one
        // is not, or a primary without an id would pass for a contact born in HubSpot.
        // Only ids new in this state: the look-up reads the read model without an index, and merges are rare.
        var followed = false;
        var mergedBefore = hubSpotStates.Count > 1 ? MergedIds(hubSpotStates[^2]) : [];
        foreach (var mergedId in MergedIds(hubSpot).Except(mergedBefore, StringComparer.Ordinal))
            foreach (var linked in await operations.QueryAsync<HubSpotRecord>(
                "where data->'connections'->?->>'hubSpotId' = ?", cancellationToken, Connection, mergedId))
                followed |= await FollowMergeAsync(mergedId, hubSpot.RecordId, linked.Source.RecordId, hubSpot.UpdatedUtc ?? _clock.GetUtcNow(), operations, cancellationToken);
        if (followed && propstreetId is null)
            return;

        if (propstreetId is null)
        {
            if (!hubSpot.IsDeleted)
                await CreateInPropstreetAsync(hubSpot, hubSpotStates, cancellationToken);
            return;
        }

        await SettleLinkedAsync(Kind.Contact, hubSpot, hubSpotStates, SourceRecord.StreamKey(PropstreetSource, Contact, propstreetId), operations, cancellationToken);
    }

    /// <summary>
    /// A deal the hub pushed (it holds a Propstreet id) is settled against its project. A deal created in HubSpot makes
    /// no project, and a merged deal is not followed: projects are made and merged in Propstreet (docs/two-way-rules.md).
    /// </summary>
    private async Task SettleDealAsync(SourceRecord hubSpot, List<SourceRecord> hubSpotStates, IDocumentOperations operations, CancellationToken cancellationToken)
    {
        var propstreetId = hubSpotStates.Select(s => Text(s.Fields, HubSpotMapping.PropstreetId)).LastOrDefault(id => id.Length > 0);
        if (propstreetId is null || Text(hubSpot.Fields, MergedInto).Length > 0)
            return;
        await SettleLinkedAsync(Kind.Deal, hubSpot, hubSpotStates, SourceRecord.StreamKey(PropstreetSource, "project", propstreetId), operations, cancellationToken);
    }

    /// <summary>
    /// A deal's association with a contact or company the hub pushed for a prospect is settled against that prospect:
    /// the push's ledger names the pair (<see cref="HubSpotPlannedLink.LedgerId"/>). An association made in HubSpot
    /// makes no prospect: investors are added to projects in Propstreet.
    /// </summary>
    private async Task SettleProspectAsync(SourceRecord hubSpot, List<SourceRecord> hubSpotStates, IDocumentOperations operations, CancellationToken cancellationToken)
    {
        var (dealId, toType, toId) = (Text(hubSpot.Fields, "dealId"), Text(hubSpot.Fields, "toObjectType"), Text(hubSpot.Fields, "toObjectId"));
        var toResource = toType switch
        {
            HubSpotObjectTypes.Contacts => Contact,
            HubSpotObjectTypes.Companies => "company",
            _ => null,
        };
        if (dealId.Length == 0 || toId.Length == 0 || toResource is null)
            return;
        var prospects = await operations.QueryAsync<HubSpotRecord>(
            "where data->'connections'->?->>'hubSpotId' = ? and data->>'linkToKey' like ?", cancellationToken,
            Connection, $"{dealId}-{toId}", SourceRecord.StreamKey(PropstreetSource, toResource, "") + "%");
        foreach (var prospect in prospects)
            await SettleLinkedAsync(Kind.Prospect, hubSpot, hubSpotStates, prospect.Id, operations, cancellationToken);
    }

    private async Task SettleLinkedAsync(
        Kind kind, SourceRecord hubSpot, List<SourceRecord> hubSpotStates, string propstreetKey, IDocumentOperations operations, CancellationToken cancellationToken)
    {
        var propstreetStates = await StatesAsync(operations, propstreetKey, cancellationToken);
        if (propstreetStates.Count == 0)
        {
            // HubSpot names a Propstreet record the hub has not observed (yet): its own observation settles it later.
            LogUnknownPropstreetRecord(Connection, kind.Table.Kind, hubSpot.RecordId, propstreetKey);
            return;
        }

        var model = await operations.LoadAsync<HubSpotRecord>(propstreetKey, cancellationToken);
        var baseline = model?.On(Connection)?.Synced;
        if (model?.On(Connection)?.HubSpotModifiedUtc is { } pushed && hubSpot.UpdatedUtc < pushed)
        {
            // HubSpot's state from before the hub's last push there (both instants HubSpot's): against the baseline that
            // push recorded, what it lacks of the push would read as HubSpot's changes. Its echo, or the state the push
            // read, is newer, carries HubSpot's own edits too, and is decided instead.
            LogBeforeOwnWrite(Connection, hubSpot.Id, propstreetKey);
            return;
        }

        for (var attempt = 1; ; attempt++)
        {
            var propstreet = propstreetStates[^1];
            var decision = Text(hubSpot.Fields, PrivacyDeleted) == "true"
                ? PrivacyDeletion(propstreet)
                : Decide(kind.Table, propstreetStates, hubSpotStates, baseline);
            if (decision.Nothing)
            {
                // Both sides agree: the echo of the hub's own write, or a change of a property the rule leaves alone.
                ProjectionsTelemetry.TwoWayDecisions.Add(1, new KeyValuePair<string, object?>("outcome", "agreed"));
                return;
            }

            var decided = Decided(decision, hubSpot, propstreet);
            if (decision.ToPropstreet.Count == 0 && decision.RecordAction is not (RecordAction.DeleteInPropstreet or RecordAction.ReviveInPropstreet))
            {
                // Propstreet won: the decision marks the record for the push, which sends the winners.
                await AppendAsync(kind, propstreetKey, MessageId(hubSpot, propstreet, "decided"), null, [decided], cancellationToken);
                ProjectionsTelemetry.TwoWayDecisions.Add(1, new KeyValuePair<string, object?>("outcome", "to-hubspot"));
                return;
            }

            var changes = kind.Table.ToPropstreetChanges(decision.ToPropstreet);
            if (changes.Fields.Count == 0 && decision.RecordAction == RecordAction.None)
            {
                // Every value HubSpot won is one Propstreet refuses: nothing to write, the reasons are parked.
                await ParkAsync(kind, propstreetKey, MessageId(hubSpot, propstreet, "parked"), decided, hubSpot, Refusals(changes.Refused), cancellationToken);
                return;
            }

            var result = await WriteToPropstreetAsync(kind, decision, changes, propstreet, hubSpot.RecordId, cancellationToken);
            switch (result)
            {
                case Written written:
                    await AppendWrittenAsync(kind, propstreetKey, propstreet, hubSpot, decided, decision, written, changes.Refused, cancellationToken);
                    ProjectionsTelemetry.TwoWayDecisions.Add(1, new KeyValuePair<string, object?>("outcome", "to-propstreet"));
                    return;
                case PreconditionFailed when attempt < MaxAttempts:
                    // Propstreet moved since the store saw it: store what it holds now, and decide again on that.
                    if (await RefetchAsync(kind, propstreet, cancellationToken) is Written fresh)
                    {
                        await AppendAsync(kind, propstreetKey, MessageId(hubSpot, propstreet, $"refetched-{attempt}"), fresh.ToObservedRecord(), [], cancellationToken);
                        propstreetStates = await StatesAsync(operations, propstreetKey, cancellationToken);
                    }

                    LogRedecided(Connection, propstreetKey, attempt);
                    continue;
                case Failed { Retryable: true } failed:
                    // Propstreet is down or throttling: nothing is lost, the page is not done; the daemon retries it.
                    throw new SideUnavailableException($"Propstreet did not take the write for {propstreetKey}: {failed.Problem}");
                default:
                    await ParkAsync(kind, propstreetKey, MessageId(hubSpot, propstreet, "parked"), decided, hubSpot, Describe(kind, result), cancellationToken);
                    return;
            }
        }
    }

    private TwoWayDecision Decide(TwoWayFields table, List<SourceRecord> propstreetStates, List<SourceRecord> hubSpotStates, IReadOnlyDictionary<string, string>? baseline)
    {
        var (propstreet, hubSpot) = TwoWaySides.Both(table, propstreetStates, hubSpotStates, baseline);
        return TwoWayMerge.Decide(table, propstreet, hubSpot, baseline, _ownership, _clock.GetUtcNow());
    }

    /// <summary>
    /// A contact HubSpot deleted for privacy (GDPR) is gone for good: it is deleted in Propstreet too, whatever was
    /// edited there since, and never recreated in HubSpot (newest-wins would revive it from a later Propstreet edit).
    /// </summary>
    private TwoWayDecision PrivacyDeletion(SourceRecord propstreet) => propstreet.IsDeleted
        ? new TwoWayDecision([], RecordAction.None, null, _clock.GetUtcNow()) { EndsDeleted = true }
        : new TwoWayDecision([], RecordAction.DeleteInPropstreet,
            "HubSpot deleted the contact for privacy (GDPR): it is deleted in Propstreet too, and never recreated in HubSpot.", _clock.GetUtcNow()) { EndsDeleted = true };

    /// <summary>
    /// HubSpot's winners to Propstreet, each with If-Match on the version decided on: a contact's update by id, revive
    /// by the HubSpot reference, or delete; a project's or prospect's PATCH (their existence is Propstreet's).
    /// </summary>
    private async Task<PropstreetWriteResult> WriteToPropstreetAsync(
        Kind kind, TwoWayDecision decision, PropstreetChanges changes, SourceRecord propstreet, string hubSpotId, CancellationToken cancellationToken)
    {
        string? Text(string field) => changes.Fields.TryGetValue(field, out var value) ? value as string ?? "" : null;
        if (kind == Kind.Deal)
            return await _propstreet.UpdateProjectAsync(propstreet.RecordId,
                new ProjectChanges { Name = Text("name"), Classification = Text("classification") }, propstreet.ETag, cancellationToken);
        if (kind == Kind.Prospect)
            return await _propstreet.UpdateProspectAsync(ProjectOf(propstreet), ProspectOf(propstreet),
                new ProspectChanges { Classification = Text("classification") }, propstreet.ETag, cancellationToken);

        if (decision.RecordAction == RecordAction.DeleteInPropstreet)
            return await _propstreet.DeleteContactAsync(propstreet.RecordId, propstreet.ETag, cancellationToken);
        var contact = ContactChanges.From(changes);
        if (decision.RecordAction == RecordAction.ReviveInPropstreet)
        {
            // A deleted contact is revived by its HubSpot reference; one without it gets the reference first.
            var reference = new PropstreetExternalRef("hubspot", hubSpotId);
            if (!PropstreetWriter.ExternalRefs(propstreet.Fields).Contains(reference))
                return new Invalid(null, $"Propstreet contact {propstreet.RecordId} is deleted and holds no HubSpot reference to revive it by; restore it in Propstreet, or delete the HubSpot contact.");
            return await _propstreet.UpsertContactByExternalRefAsync("hubspot", hubSpotId, contact, ifMatch: null, matchEmail: false, revive: true, cancellationToken: cancellationToken);
        }

        return await _propstreet.UpdateContactAsync(propstreet.RecordId, contact, propstreet.ETag, cancellationToken);
    }

    /// <summary>Propstreet's record as it is now, after a 412.</summary>
    private async Task<PropstreetWriteResult> RefetchAsync(Kind kind, SourceRecord propstreet, CancellationToken cancellationToken)
    {
        if (kind == Kind.Deal)
            return await _propstreet.GetProjectAsync(propstreet.RecordId, includeDeleted: true, cancellationToken);
        if (kind == Kind.Prospect)
            return await _propstreet.GetProspectAsync(ProjectOf(propstreet), ProspectOf(propstreet), includeDeleted: true, cancellationToken);
        return await _propstreet.GetContactAsync(propstreet.RecordId, includeDeleted: true, cancellationToken);
    }

    // A prospect's record id is {projectId}:{prospectId}.
    private static string ProjectOf(SourceRecord prospect) => prospect.RecordId[..prospect.RecordId.IndexOf(':', StringComparison.Ordinal)];

    private static string ProspectOf(SourceRecord prospect) => prospect.RecordId[(prospect.RecordId.IndexOf(':', StringComparison.Ordinal) + 1)..];

    /// <summary>
    /// A contact created in HubSpot: upserted into Propstreet by its HubSpot reference (an existing contact with its
    /// email takes the reference), then HubSpot's contact gets the Propstreet id it will be pushed by from now on.
    /// </summary>
    private async Task CreateInPropstreetAsync(SourceRecord hubSpot, List<SourceRecord> hubSpotStates, CancellationToken cancellationToken)
    {
        var side = TwoWaySides.HubSpot(ContactFields.Table, hubSpotStates);
        if (side.ValueOf(ContactFields.Email).Length == 0 && side.ValueOf(ContactFields.LastName).Length == 0 && side.ValueOf(ContactFields.FirstName).Length == 0)
            return; // nothing that makes a contact in Propstreet yet

        // Decided against no Propstreet contact: every value HubSpot has goes over, and the decision says so.
        var nothing = new SideState(new Dictionary<string, string>(), null, Deleted: false);
        var decision = TwoWayMerge.Decide(ContactFields.Table, nothing, side, baseline: null, _ownership, _clock.GetUtcNow());
        var result = await _propstreet.UpsertContactByExternalRefAsync("hubspot", hubSpot.RecordId,
            ContactChanges.From(ContactFields.ToPropstreetChanges(decision.ToPropstreet.Where(p => p.Value.Length > 0).ToDictionary())),
            ifMatch: null, matchEmail: true, revive: true, cancellationToken: cancellationToken);
        if (result is Failed { Retryable: true } failed)
            throw new SideUnavailableException($"Propstreet did not take HubSpot contact {hubSpot.RecordId}: {failed.Problem}");
        if (result is not Written written)
        {
            LogNotCreated(Connection, hubSpot.RecordId, Describe(Kind.Contact, result));
            return;
        }

        var linked = await _hubspot.UpdateAsync(HubSpotObjectTypes.Contacts,
            [new HubSpotUpdate(hubSpot.RecordId, new Dictionary<string, string?> { [HubSpotMapping.PropstreetId] = written.Id })], cancellationToken);
        var propstreetKey = SourceRecord.StreamKey(PropstreetSource, Contact, written.Id);
        var link = linked.Records[0];
        if (!link.Succeeded)
        {
            // Another HubSpot contact already stands for this Propstreet contact (HubSpot keeps propstreet_id unique):
            // a duplicate a person must merge in HubSpot.
            if (link.Error.Retryable)
                throw new SideUnavailableException($"HubSpot did not take the Propstreet id of contact {hubSpot.RecordId}: {link.Error.Message}");
            await AppendAsync(Kind.Contact, propstreetKey, $"twoway:{Connection}:{hubSpot.Id}:v{hubSpot.Version}:duplicate", written.ToObservedRecord(), [new PropstreetWriteParked(Connection, hubSpot.RecordId,
                $"HubSpot contact {hubSpot.RecordId} matched Propstreet contact {written.Id}, which another HubSpot contact already stands for ({link.Error.Message}); merge the two in HubSpot.",
                _clock.GetUtcNow())], cancellationToken);
            return;
        }

        await AppendAsync(Kind.Contact, propstreetKey, $"twoway:{Connection}:{hubSpot.Id}:v{hubSpot.Version}:created", written.ToObservedRecord(),
            after => [Decided(decision, hubSpot, after!), WrittenBack(Kind.Contact, hubSpot, after!, written, [])], cancellationToken);
        LogCreated(Connection, hubSpot.RecordId, written.Id, written.Action ?? "created");
    }

    /// <summary>
    /// A HubSpot contact the hub pushed to was merged into <paramref name="primaryId"/>: the Propstreet contact follows
    /// it there, unless the primary already stands for another Propstreet contact. HubSpot drops the merged record's
    /// unique values (the Propstreet id, the email), so the primary gets the Propstreet id, and Propstreet's values
    /// where the primary has none, as a merge fills empty values; values the primary kept are HubSpot's choice and
    /// go through the conflict rule like any HubSpot change.
    /// </summary>
    /// <returns>Whether the record now follows the primary.</returns>
    private async Task<bool> FollowMergeAsync(
        string mergedId, string primaryId, string propstreetId, DateTimeOffset mergedAt, IDocumentOperations operations, CancellationToken cancellationToken)
    {
        var propstreetKey = SourceRecord.StreamKey(PropstreetSource, Contact, propstreetId);
        var model = await operations.LoadAsync<HubSpotRecord>(propstreetKey, cancellationToken);
        if (model is null || model.On(Connection)?.HubSpotId == primaryId)
            return model is not null;
        var found = await _hubspot.ReadAsync(HubSpotObjectTypes.Contacts, null, [primaryId],
            [.. ContactFields.All.Select(f => f.Property), HubSpotMapping.PropstreetId], cancellationToken);
        var primary = found.Count > 0 ? found[0] : null;
        var held = primary?.Properties.GetValueOrDefault(HubSpotMapping.PropstreetId);
        string? followedTo = held == propstreetId ? primaryId : null;
        if (primary is not null && string.IsNullOrEmpty(held))
        {
            var update = new Dictionary<string, string?>(StringComparer.Ordinal) { [HubSpotMapping.PropstreetId] = propstreetId };
            foreach (var (property, value) in model.Target?.Properties ?? new Dictionary<string, string>())
                if (value.Length > 0 && string.IsNullOrEmpty(primary.Properties.GetValueOrDefault(property)))
                    update[property] = value;
            var result = await _hubspot.UpdateAsync(HubSpotObjectTypes.Contacts, [new HubSpotUpdate(primaryId, update)], cancellationToken);
            if (result.Records[0].Error is { Retryable: true } error)
                throw new SideUnavailableException($"HubSpot did not take the merge of contact {mergedId}: {error.Message}");
            followedTo = result.Records[0].Succeeded ? primaryId : null;
        }

        var merged = new HubSpotMerged(Connection, mergedId, followedTo, mergedAt);
        // Nothing to follow for a contact the hub has not stored (yet).
        await AppendAsync(Kind.Contact, propstreetKey, $"twoway:{Connection}:merged:{mergedId}:{primaryId}:{propstreetKey}", null,
            after => after is null ? [] : [merged], cancellationToken);
        LogMerged(Connection, mergedId, primaryId, propstreetKey, followedTo is not null);
        return followedTo is not null;
    }

    /// <summary>
    /// Propstreet's new state (the write's response), the decision and the new baseline in one append. A value
    /// Propstreet cannot take (over its length limit, not one of its values) was left out of the write: it is parked with the reason, and the
    /// baseline keeps Propstreet's value, so HubSpot's stays a change the push does not overwrite.
    /// </summary>
    private async Task AppendWrittenAsync(
        Kind kind, string propstreetKey, SourceRecord propstreet, SourceRecord hubSpot, SyncDecided decided, TwoWayDecision decision, Written written,
        IReadOnlyList<FieldRefused> refused, CancellationToken cancellationToken)
    {
        await AppendAsync(kind, propstreetKey, MessageId(hubSpot, propstreet, "written"), written.ToObservedRecord(), after =>
        {
            List<object> ledger = [decided, WrittenBack(kind, hubSpot, after!, written, refused)];
            if (refused.Count > 0)
                ledger.Add(new PropstreetWriteParked(Connection, hubSpot.RecordId, Refusals(refused), _clock.GetUtcNow()));
            return ledger;
        }, cancellationToken);
        LogWrittenBack(Connection, hubSpot.Id, propstreetKey, string.Join(", ", decision.ToPropstreet.Keys), decision.RecordAction.ToString());
    }

    /// <summary>
    /// The new baseline: HubSpot's values, so the push overwrites exactly the ones Propstreet won (HubSpot still holds
    /// them unchanged), except where HubSpot's value won but Propstreet could not take it (too long): there it is
    /// Propstreet's, so HubSpot's stays a change the push does not overwrite. (Propstreet's value as baseline for a
    /// field Propstreet won would make HubSpot's old value look like a HubSpot edit and write it back: an older value
    /// over a newer one, found by the generated interleaving.) The hash tells the push HubSpot already holds
    /// everything Propstreet's record maps to (the write's echo then pushes nothing); null when it does not.
    /// </summary>
    private PropstreetWrittenBack WrittenBack(Kind kind, SourceRecord hubSpot, SourceRecord after, Written written, IReadOnlyList<FieldRefused> refused)
    {
        var table = kind.Table;
        var target = HubSpotMapping.Map(after);
        var propstreetValues = table.FromPropstreet(after);
        var hubSpotValues = table.FromHubSpot(hubSpot);
        var synced = new Dictionary<string, string>(StringComparer.Ordinal);
        var allHeld = target is not null;
        foreach (var field in table.All)
        {
            var propstreetValue = propstreetValues[field.Property];
            var hubSpotValue = hubSpotValues[field.Property];
            if (table.Same(field.Property, propstreetValue, hubSpotValue))
                synced[field.Property] = hubSpotValue;
            else
            {
                allHeld = false;
                synced[field.Property] = refused.Any(t => t.Property == field.Property) ? propstreetValue : hubSpotValue;
            }
        }

        var hash = allHeld && !after.IsDeleted == !hubSpot.IsDeleted ? HubSpotMapping.Hash(target!) : null;
        return new PropstreetWrittenBack(Connection, kind.HubSpotId(hubSpot), hash, synced, after.Version, written.Action ?? (after.IsDeleted ? "deleted" : "updated"), _clock.GetUtcNow());
    }

    private SyncDecided Decided(TwoWayDecision decision, SourceRecord hubSpot, SourceRecord propstreet) =>
        new(Connection, hubSpot.RecordId, decision.Fields.Where(f => f.Winner != Winner.None).ToList(),
            decision.RecordAction == RecordAction.None ? null : decision.RecordAction.ToString(),
            propstreet.Version, hubSpot.Version, decision.DecidedUtc, decision.RecordReason);

    private async Task ParkAsync(Kind kind, string propstreetKey, string messageId, SyncDecided decided, SourceRecord hubSpot, string reason, CancellationToken cancellationToken)
    {
        await AppendAsync(kind, propstreetKey, messageId, null, [decided, new PropstreetWriteParked(Connection, hubSpot.RecordId, reason, _clock.GetUtcNow())], cancellationToken);
        ProjectionsTelemetry.TwoWayDecisions.Add(1, new KeyValuePair<string, object?>("outcome", "parked"));
        LogParked(Connection, propstreetKey, hubSpot.Id, reason);
    }

    /// <summary>
    /// Appends to the Propstreet record's stream at the version it has now: an observation of Propstreet first (a
    /// refetched or written state, decided like any observation), then the hub's ledger events, made from the record
    /// as that observation leaves it (null when the stream does not exist).
    /// </summary>
    private async Task AppendAsync(
        Kind kind, string propstreetKey, string messageId, ObservedRecord? observed, Func<SourceRecord?, IReadOnlyList<object>> ledger, CancellationToken cancellationToken)
    {
        await _writer.Value.WriteAsync(messageId, async (session, ct) =>
        {
            var before = await session.LoadAsync<SourceRecord>(propstreetKey, ct);
            var events = new List<PendingEvent>();
            if (observed is not null)
                events.AddRange(ObservationDecision.Decide(before, PropstreetSource, _propstreet.ConnectionName, kind.PropstreetResource, observed).Events);
            var after = SourceRecord.FoldAll(before, propstreetKey, events.Select(e => e.Data));
            events.AddRange(ledger(after).Select((e, i) => new PendingEvent(
                DeterministicEventId.From(messageId, e.GetType().Name, i.ToString(CultureInfo.InvariantCulture)), e)));
            return events.Count == 0 ? [] : [new StreamEvents(propstreetKey, events, before?.Version ?? 0)];
        }, cancellationToken);
    }

    private Task AppendAsync(Kind kind, string propstreetKey, string messageId, ObservedRecord? observed, IReadOnlyList<object> ledger, CancellationToken cancellationToken) =>
        AppendAsync(kind, propstreetKey, messageId, observed, _ => ledger, cancellationToken);

    /// <summary>One outcome of one decision: both sides' versions name it, so a page processed again appends nothing twice.</summary>
    private string MessageId(SourceRecord hubSpot, SourceRecord propstreet, string outcome) =>
        $"twoway:{Connection}:{hubSpot.Id}:v{hubSpot.Version}:{propstreet.Id}:v{propstreet.Version}:{outcome}";

    private static string Refusals(IReadOnlyList<FieldRefused> refused) =>
        string.Join("; ", refused.Select(r => $"HubSpot's {r.Property} {r.Why}, so Propstreet keeps its value"));

    private static string Describe(Kind kind, PropstreetWriteResult result) => result switch
    {
        Invalid invalid => $"Propstreet refuses the value{(invalid.Field is null ? "" : $" of {invalid.Field}")}: {invalid.Problem}",
        Conflict conflict => $"Propstreet reports a {conflict.Kind}: {conflict.Problem}",
        NotFound notFound => $"Propstreet has no such {kind.Table.Kind}: {notFound.Problem}",
        PreconditionFailed => $"Propstreet kept changing the {kind.Table.Kind}; gave up after {MaxAttempts} decisions.",
        Failed failed => $"Propstreet refused the write ({failed.Status}): {failed.Problem}",
        _ => result.GetType().Name,
    };

    /// <summary>The record states of a stream, oldest first (the push ledger in it is skipped).</summary>
    private static async Task<List<SourceRecord>> StatesAsync(IDocumentOperations operations, string streamKey, CancellationToken cancellationToken)
    {
        var events = await operations.Events.FetchStreamAsync(streamKey, token: cancellationToken);
        var states = new List<SourceRecord>(events.Count);
        SourceRecord? state = null;
        foreach (var e in events)
        {
            if (e.Data is not IRecordEvent)
                continue;
            state = SourceRecord.Fold(state, streamKey, e.Data, e.Version);
            states.Add(state);
        }

        return states;
    }

    private static string[] MergedIds(SourceRecord hubSpot) =>
        Text(hubSpot.Fields, "hs_merged_object_ids").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string Text(JsonElement fields, string name) =>
        fields.ValueKind == JsonValueKind.Object && fields.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : "";

    [LoggerMessage(LogLevel.Warning, "Two-way sync on {Connection} waits for the HubSpot read model to reach sequence {Ceiling} (paused or rebuilding?)")]
    private partial void LogWaitingForReadModel(string connection, long ceiling);

    [LoggerMessage(LogLevel.Information, "Two-way sync on {Connection}: HubSpot {Kind} {HubSpotId} names {PropstreetKey}, which the hub has not observed yet")]
    private partial void LogUnknownPropstreetRecord(string connection, string kind, string hubSpotId, string propstreetKey);

    [LoggerMessage(LogLevel.Debug, "Two-way sync on {Connection}: {HubSpotKey} is older than the hub's last push to it; its echo settles {PropstreetKey}")]
    private partial void LogBeforeOwnWrite(string connection, string hubSpotKey, string propstreetKey);

    [LoggerMessage(LogLevel.Information, "Two-way sync on {Connection}: {PropstreetKey} changed again before the write (attempt {Attempt}); decided again")]
    private partial void LogRedecided(string connection, string propstreetKey, int attempt);

    [LoggerMessage(LogLevel.Information, "Two-way sync on {Connection}: {HubSpotKey} → {PropstreetKey} ({Properties}; record: {Action})")]
    private partial void LogWrittenBack(string connection, string hubSpotKey, string propstreetKey, string properties, string action);

    [LoggerMessage(LogLevel.Information, "Two-way sync on {Connection}: HubSpot contact {HubSpotId} is Propstreet contact {PropstreetId} ({Action})")]
    private partial void LogCreated(string connection, string hubSpotId, string propstreetId, string action);

    [LoggerMessage(LogLevel.Warning, "Two-way sync on {Connection}: HubSpot contact {HubSpotId} was not written to Propstreet: {Reason}")]
    private partial void LogNotCreated(string connection, string hubSpotId, string reason);

    [LoggerMessage(LogLevel.Information, "Two-way sync on {Connection}: HubSpot contact {MergedId} merged into {PrimaryId}; {PropstreetKey} followed: {Followed}")]
    private partial void LogMerged(string connection, string mergedId, string primaryId, string propstreetKey, bool followed);

    [LoggerMessage(LogLevel.Warning, "Two-way sync on {Connection}: {Key} waits {Seconds:F0} s: {Reason}")]
    private partial void LogUnavailable(string connection, string key, double seconds, string reason);

    [LoggerMessage(LogLevel.Warning, "Two-way sync on {Connection}: parked {PropstreetKey} ← {HubSpotKey}: {Reason}")]
    private partial void LogParked(string connection, string propstreetKey, string hubSpotKey, string reason);
}

/// <summary>Propstreet or HubSpot could not take a write for now (down, throttling): the record is settled again after a pause.</summary>
public sealed class SideUnavailableException(string message) : Exception(message);
