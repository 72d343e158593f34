namespace Hub.Sync.HubSpot;

/// <summary>
/// What one push round asks of one HubSpot connection, decided from the read model alone (a pure function, so the
/// rules are tested without servers): records in sync or parked at their current hash are left alone; live objects
/// are upserted by their unique property; deleted ones archived by their HubSpot id (or, never pushed, only marked
/// done); an association waits until both its ends have HubSpot ids on this connection.
/// </summary>
public sealed record HubSpotPushPlan(
    IReadOnlyList<HubSpotRecord> Upserts,
    IReadOnlyList<(HubSpotRecord Record, string HubSpotId)> Archives,
    IReadOnlyList<HubSpotRecord> NothingToSend,
    IReadOnlyList<HubSpotPlannedLink> Links,
    IReadOnlyList<HubSpotRecord> Waiting)
{
    public static HubSpotPushPlan For(string connection, IEnumerable<HubSpotRecord> records, IReadOnlyDictionary<string, HubSpotRecord> ends)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(ends);
        List<HubSpotRecord> upserts = [], nothing = [], waiting = [];
        List<(HubSpotRecord, string)> archives = [];
        List<HubSpotPlannedLink> links = [];
        foreach (var record in records.DistinctBy(r => r.Id, StringComparer.Ordinal))
        {
            if (record.Target is not { } target || (!record.PendingOn(connection) && !EndMoved(record, ends, connection)))
                continue;
            var known = record.On(connection)?.HubSpotId;
            if (target.Link is { } link)
            {
                var from = HubSpotIdOf(ends, link.FromKey, connection);
                var to = HubSpotIdOf(ends, link.ToKey, connection);
                if (target.Archived)
                {
                    if (HubSpotPlannedLink.TryParseLedgerId(known, out var heldFrom, out var heldTo))
                        links.Add(new HubSpotPlannedLink(record, link, heldFrom, heldTo, Archive: true));
                    else
                        nothing.Add(record);
                }
                else if (from is null || to is null)
                    waiting.Add(record);
                else
                    links.Add(new HubSpotPlannedLink(record, link, from, to, Archive: false));
            }
            else if (target.Archived)
            {
                if (string.IsNullOrEmpty(known))
                    nothing.Add(record);
                else
                    archives.Add((record, known));
            }
            else
                upserts.Add(record);
        }

        return new HubSpotPushPlan(upserts, archives, nothing, links, waiting);
    }

    /// <summary>
    /// An association in sync whose end HubSpot now holds under another id (a deal archived in HubSpot and restored by the
    /// push is a new object): it is made again between the ends as they are.
    /// </summary>
    public static bool EndMoved(HubSpotRecord record, IReadOnlyDictionary<string, HubSpotRecord> ends, string connection)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(ends);
        return record.Target is { Archived: false, Link: { } link }
            && HubSpotPlannedLink.TryParseLedgerId(record.On(connection)?.HubSpotId, out var heldFrom, out var heldTo)
            && HubSpotIdOf(ends, link.FromKey, connection) is { } from && HubSpotIdOf(ends, link.ToKey, connection) is { } to
            && (from, to) != (heldFrom, heldTo);
    }

    private static string? HubSpotIdOf(IReadOnlyDictionary<string, HubSpotRecord> ends, string key, string connection) =>
        ends.TryGetValue(key, out var end) && end.Target is { Archived: false } && end.On(connection)?.HubSpotId is { Length: > 0 } id ? id : null;
}

/// <summary>An association to create (or, <see cref="Archive"/>, to remove) between two HubSpot ids.</summary>
public sealed record HubSpotPlannedLink(HubSpotRecord Record, HubSpotLink Link, string FromId, string ToId, bool Archive)
{
    /// <summary>How the ledger names the association: <c>{fromId}-{toId}</c>.</summary>
    public string LedgerId => $"{FromId}-{ToId}";

    /// <summary>The two HubSpot ids of an association the ledger recorded (<see cref="LedgerId"/>); false when it recorded none.</summary>
    public static bool TryParseLedgerId(string? ledgerId, out string fromId, out string toId)
    {
        var parts = ledgerId?.Split('-');
        (fromId, toId) = parts is [var from, var to] && from.Length > 0 && to.Length > 0 ? (from, to) : ("", "");
        return fromId.Length > 0;
    }
}
