using System.Globalization;
using Hub.Crm.HubSpot;
using Hub.Sync.Records;
using Hub.Sync.TwoWay;
using Marten;

namespace Hub.Sync.HubSpot;

/// <summary>
/// Compares the sources (the hub's current state of every source record) with one HubSpot connection field by field
/// through <see cref="HubSpotMapping"/>: records per resource on each side, and every difference — a field that
/// differs, a record HubSpot lacks, a hub-managed HubSpot record no live source record accounts for, an association
/// missing or extra. HubSpot records without a hub id property are not the hub's and are left out.
/// </summary>
public static class HubSpotParity
{
    public const string Missing = "(missing in HubSpot)";
    public const string Extra = "(not in the sources)";

    public static async Task<HubSpotParityReport> CompareAsync(IQuerySession session, HubSpotClient hubSpot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(hubSpot);
        var targets = (await session.Query<SourceRecord>().Where(r => r.DeletedUtc == null).ToListAsync(cancellationToken))
            .Select(r => (Record: r, Target: HubSpotMapping.Map(r)))
            .Where(t => t.Target is { Archived: false })
            .ToList();
        var owners = await ListingOwnersAsync(hubSpot, cancellationToken);
        // Records the push parked on this connection: their differences are explained, and the reason is shown.
        // Only those documents are read (HubSpotRecord.PendingOn's "parked at the current hash", in SQL), not the whole model.
        var parked = (await session.QueryAsync<HubSpotRecord>(
                "where data->'connections'->?->'parked'->>'hash' = data->>'hash'", cancellationToken, hubSpot.Name))
            .ToDictionary(r => r.Id, r => r.On(hubSpot.Name)!.Parked!.Reason, StringComparer.Ordinal);

        var resources = new List<HubSpotResourceParity>();
        var mismatches = new List<HubSpotMismatch>();
        var hubSpotIds = new Dictionary<string, string>(StringComparer.Ordinal);   // stream key → HubSpot id
        foreach (var group in targets.Where(t => t.Target!.Link is null).GroupBy(t => (t.Record.Source, t.Record.Resource, t.Target!.ObjectType, t.Target.IdProperty)))
        {
            var resource = $"{group.Key.Source} {group.Key.Resource}";
            var expected = group.ToDictionary(t => t.Target!.IdValue, StringComparer.OrdinalIgnoreCase);
            var names = group.SelectMany(t => t.Target!.Properties.Keys).Append(group.Key.IdProperty).Append("hubspot_owner_id").Append("lead_assignment")
                .Distinct(StringComparer.Ordinal).ToList();
            var held = new Dictionary<string, HubSpotObject>(StringComparer.OrdinalIgnoreCase);
            await foreach (var record in hubSpot.ListAsync(group.Key.ObjectType, names, cancellationToken: cancellationToken))
                if (record.Properties.GetValueOrDefault(group.Key.IdProperty) is { Length: > 0 } id)
                    held[id] = record;

            var matched = 0;
            foreach (var (id, (record, target)) in expected)
            {
                if (!held.TryGetValue(id, out var actual))
                {
                    mismatches.Add(new(resource, record.Id, Missing, null, null, parked.GetValueOrDefault(record.Id)));
                    continue;
                }

                hubSpotIds[record.Id] = actual.Id;
                var before = mismatches.Count;
                foreach (var (name, value) in Expected(target!, owners))
                {
                    var holds = actual.Properties.GetValueOrDefault(name);
                    if (!SameValue(name, value, holds))
                        mismatches.Add(new(resource, record.Id, name, value, holds, parked.GetValueOrDefault(record.Id)));
                }

                if (mismatches.Count == before)
                    matched++;
            }

            foreach (var (id, actual) in held.Where(h => !expected.ContainsKey(h.Key)))
                mismatches.Add(new(resource, $"hubspot:{group.Key.ObjectType}/{actual.Id} ({group.Key.IdProperty}={id})", Extra, null, null));
            resources.Add(new(resource, expected.Count, held.Count, matched));
        }

        resources.Add(await CompareLinksAsync(hubSpot, [.. targets.Where(t => t.Target!.Link is not null).Select(t => (t.Record, t.Target!.Link!))], hubSpotIds, parked, mismatches, cancellationToken));
        return new HubSpotParityReport(hubSpot.Name, resources, mismatches);
    }

    /// <summary>A lead's expected owner fields join the mapped ones: its listing's owner, or flagged unassigned.</summary>
    private static IEnumerable<KeyValuePair<string, string>> Expected(HubSpotTarget target, IReadOnlyDictionary<string, string?> owners)
    {
        foreach (var property in target.Properties)
            yield return property;
        if (target.IdProperty != HubSpotMapping.LeadId)
            yield break;
        var owner = HubSpotMapping.ListingReference(target) is { } reference ? owners.GetValueOrDefault(reference) : null;
        yield return new("hubspot_owner_id", owner ?? "");
        yield return new("lead_assignment", owner is null ? LeadAssignment.Unassigned : LeadAssignment.ListingOwner);
    }

    private static async Task<Dictionary<string, string?>> ListingOwnersAsync(HubSpotClient hubSpot, CancellationToken cancellationToken)
    {
        var owners = new Dictionary<string, string?>(StringComparer.Ordinal);
        await foreach (var listing in hubSpot.ListAsync("listings", ["reference", "hubspot_owner_id"], cancellationToken: cancellationToken))
            if (listing.Properties.GetValueOrDefault("reference") is { Length: > 0 } reference)
                owners[reference] = listing.Properties.GetValueOrDefault("hubspot_owner_id") is { Length: > 0 } owner ? owner : null;
        return owners;
    }

    /// <summary>Prospects: each live one is an association from its deal to its contact or company, and nothing more.</summary>
    private static async Task<HubSpotResourceParity> CompareLinksAsync(
        HubSpotClient hubSpot, List<(SourceRecord Record, HubSpotLink Link)> links, Dictionary<string, string> hubSpotIds,
        Dictionary<string, string> parked, List<HubSpotMismatch> mismatches, CancellationToken cancellationToken)
    {
        const string resource = "propstreet prospect";
        var expected = new Dictionary<(string Deal, string ToType, string To), (string Key, string Classification)>();
        foreach (var (record, link) in links)
        {
            if (hubSpotIds.TryGetValue(link.FromKey, out var deal) && hubSpotIds.TryGetValue(link.ToKey, out var to))
                expected.TryAdd((deal, link.ToObjectType, to), (record.Id, link.Label));
            else
                mismatches.Add(new(resource, record.Id, Missing, $"{link.FromKey} → {link.ToKey}", null, ParkedEnd(link, parked)));
        }

        var deals = hubSpotIds.Where(h => h.Key.StartsWith("propstreet-project-", StringComparison.Ordinal)).Select(h => h.Value).ToList();
        var held = new Dictionary<(string, string, string), List<string>>();   // pair → its user-defined labels
        var portalLabels = new Dictionary<string, IReadOnlyList<HubSpotAssociationLabel>>(StringComparer.Ordinal);
        foreach (var toType in new[] { HubSpotObjectTypes.Contacts, HubSpotObjectTypes.Companies })
        {
            portalLabels[toType] = [.. (await hubSpot.GetAssociationLabelsAsync(HubSpotObjectTypes.Deals, toType, cancellationToken)).Where(l => l.Category == HubSpotAssociation.UserDefined)];
            foreach (var batch in deals.Chunk(HubSpotClient.BatchSize))
                foreach (var association in await hubSpot.ListAssociationsAsync(HubSpotObjectTypes.Deals, toType, batch, cancellationToken))
                {
                    var labels = held.TryGetValue((association.FromId, toType, association.ToId), out var known) ? known : held[(association.FromId, toType, association.ToId)] = [];
                    if (association.Category == HubSpotAssociation.UserDefined && association.Label is { } label)
                        labels.Add(label);
                }
        }

        var matched = 0;
        foreach (var ((deal, toType, to), (key, classification)) in expected)
        {
            if (!held.TryGetValue((deal, toType, to), out var labels))
            {
                mismatches.Add(new(resource, key, Missing, $"deal {deal} → {toType} {to}", null));
                continue;
            }

            // The classification travels as the portal's label of that name, when the portal has one.
            var wanted = portalLabels[toType].FirstOrDefault(l => HubSpotMapping.IsLabelFor(l.Label, classification))?.Label;
            if (wanted is not null && (labels.Count != 1 || labels[0] != wanted))
                mismatches.Add(new(resource, key, "label", wanted, string.Join(", ", labels)));
            else
                matched++;
        }

        foreach (var (deal, toType, to) in held.Keys.Where(h => !expected.ContainsKey(h)))
            mismatches.Add(new(resource, $"hubspot:deals/{deal}", Extra, null, $"→ {toType} {to}"));
        return new HubSpotResourceParity(resource, links.Count, held.Count, matched);
    }

    /// <summary>An association cannot be made while one of its ends is parked: that end's reason explains it.</summary>
    private static string? ParkedEnd(HubSpotLink link, Dictionary<string, string> parked) =>
        parked.TryGetValue(link.FromKey, out var from) ? $"{link.FromKey}: {from}"
        : parked.TryGetValue(link.ToKey, out var to) ? $"{link.ToKey}: {to}"
        : null;

    /// <summary>
    /// Equal as HubSpot stores them: empty and null alike; numbers by value; a date sent as epoch milliseconds equal
    /// to the instant HubSpot answers (it may answer ISO 8601); text case-sensitively except e-mail addresses; and a
    /// property the two-way field table compares in its own notation (a phone in E.164 or as typed, tags in any
    /// order) in that notation, as the sync itself does.
    /// </summary>
    public static bool SameValue(string property, string? expected, string? actual) =>
        (ContactFields.Find(property) is { Equivalence: not Equivalence.Text } && ContactFields.Same(property, expected, actual)) || SameValue(expected, actual);

    private static bool SameValue(string? expected, string? actual)
    {
        var e = expected?.Trim() ?? "";
        var a = actual?.Trim() ?? "";
        if (string.Equals(e, a, StringComparison.Ordinal))
            return true;
        if (e.Length == 0 || a.Length == 0)
            return false;
        if (TwoWayFields.Equivalent(Equivalence.Number, e, a) || TwoWayFields.Equivalent(Equivalence.Instant, e, a))
            return true;
        return e.Contains('@', StringComparison.Ordinal) && string.Equals(e, a, StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>The outcome of one parity run on one HubSpot connection.</summary>
public sealed record HubSpotParityReport(string Connection, IReadOnlyList<HubSpotResourceParity> Resources, IReadOnlyList<HubSpotMismatch> Mismatches);

/// <summary>One resource: live records in the sources, hub-managed records in HubSpot, and how many match field for field.</summary>
public sealed record HubSpotResourceParity(string Resource, int Sources, int HubSpot, int Matched);

/// <summary>
/// One difference: the record (stream key or HubSpot id), the field (or <see cref="HubSpotParity.Missing"/> /
/// <see cref="HubSpotParity.Extra"/>), both values, and — when the push parked the record — why.
/// </summary>
public sealed record HubSpotMismatch(string Resource, string Record, string Field, string? Expected, string? Actual, string? ParkedBecause = null);
