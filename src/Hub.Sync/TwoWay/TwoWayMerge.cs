using System.Globalization;

namespace Hub.Sync.TwoWay;

/// <summary>
/// The two-way conflict rule for a contact (ADR 0025, docs/two-way-rules.md), a pure function of both sides, the last
/// synced values, the ownership table and the clock. Per field: equal → nothing; only one side moved away from the
/// last synced value → that side; both moved (or never synced) → the owner, else the later change by per-field
/// instants, a tie going to Propstreet. Per record: a deletion against an edit → the later one.
/// </summary>
public static class TwoWayMerge
{
    /// <param name="table">The kind of record: its compared fields and whether deletions flow back.</param>
    /// <param name="propstreet">Propstreet.s record, mapped into HubSpot properties.</param>
    /// <param name="hubspot">HubSpot's contact as read.</param>
    /// <param name="baseline">
    /// The values both sides agreed on at the last sync (<see cref="TwoWayDecision.Agreed"/>); null when never synced.
    /// A property it lacks counts as never synced.
    /// </param>
    /// <param name="ownership">Who settles simultaneous edits.</param>
    /// <param name="now">The decision's instant.</param>
    public static TwoWayDecision Decide(
        TwoWayFields table,
        SideState propstreet,
        SideState hubspot,
        IReadOnlyDictionary<string, string>? baseline,
        FieldOwnership ownership,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(propstreet);
        ArgumentNullException.ThrowIfNull(hubspot);
        ArgumentNullException.ThrowIfNull(ownership);

        if (propstreet.Deleted && hubspot.Deleted)
            return new TwoWayDecision([], RecordAction.None, "Deleted on both sides.", now) { EndsDeleted = true };
        var (action, reason) = propstreet.Deleted || hubspot.Deleted ? DeletedOnOneSide(table, propstreet, hubspot) : (RecordAction.None, null);
        if (action is RecordAction.DeleteInPropstreet or RecordAction.DeleteInHubSpot)
            return new TwoWayDecision([], action, reason, now) { EndsDeleted = true };

        // A revived record's fields are decided like a live one's: the deleted side's last values count with the
        // instants they were written, so an edit made before the deletion is not lost to an older value.
        var fields = table.All.Select(f => DecideField(table, f, propstreet, hubspot, baseline, ownership)).ToList();
        return new TwoWayDecision(fields, action, reason, now);
    }

    private static FieldDecision DecideField(
        TwoWayFields table, TwoWayField field, SideState propstreet, SideState hubspot, IReadOnlyDictionary<string, string>? baseline, FieldOwnership ownership)
    {
        var name = field.Property;
        var (p, h) = (propstreet.ValueOf(name), hubspot.ValueOf(name));
        // A property the baseline lacks has no agreed value yet (never synced, or only part of a decision's writes
        // went through): both sides count as changed.
        var b = baseline?.GetValueOrDefault(name);
        var (pAt, hAt) = (propstreet.ChangedAt(name), hubspot.ChangedAt(name));
        FieldDecision Decided(Winner winner, DecisionRule rule, string reason) => new(name, winner, rule, p, h, b, pAt, hAt, reason);

        if (table.Same(name, p, h))
            return Decided(Winner.None, DecisionRule.Equal, $"Both sides hold the same {name}.");
        if (field.UnsetInHubSpotIsNoValue && h.Trim().Length == 0)
            return Decided(Winner.None, DecisionRule.NoHubSpotValue, $"HubSpot holds no {name}; Propstreet's stands.");
        if (!field.FlowsBack)
            return Decided(Winner.Propstreet, DecisionRule.PropstreetDerived,
                $"{name} is derived from Propstreet and never written back; Propstreet's value is pushed.");
        if (b is not null && table.Same(name, h, b))
            return Decided(Winner.Propstreet, DecisionRule.OnlyPropstreetChanged,
                $"Propstreet changed {name} at {At(pAt)}; HubSpot still holds the value of the last sync.");
        if (b is not null && table.Same(name, p, b))
            return Decided(Winner.HubSpot, DecisionRule.OnlyHubSpotChanged,
                $"HubSpot changed {name} at {At(hAt)}; Propstreet still holds the value of the last sync.");

        var both = b is null ? "Never synced, so both sides count as changed" : "Both sides changed it since the last sync";
        switch (ownership.OwnerOf(name))
        {
            case FieldOwner.Propstreet:
                return Decided(Winner.Propstreet, DecisionRule.Owner,
                    $"{both} (Propstreet at {At(pAt)}, HubSpot at {At(hAt)}); Propstreet owns {name}.");
            case FieldOwner.HubSpot:
                return Decided(Winner.HubSpot, DecisionRule.Owner,
                    $"{both} (Propstreet at {At(pAt)}, HubSpot at {At(hAt)}); HubSpot owns {name}.");
        }

        var (pTime, hTime) = (pAt ?? DateTimeOffset.MinValue, hAt ?? DateTimeOffset.MinValue);
        if (hTime > pTime)
            return Decided(Winner.HubSpot, DecisionRule.Newer,
                $"{both}: HubSpot changed {name} at {At(hAt)} after Propstreet's last change at {At(pAt)}; newest wins.");
        return Decided(Winner.Propstreet, DecisionRule.Newer, pTime > hTime
            ? $"{both}: Propstreet changed {name} at {At(pAt)} after HubSpot's last change at {At(hAt)}; newest wins."
            : $"{both}: both changed {name} at {At(pAt)}; Propstreet wins ties.");
    }

    /// <summary>
    /// One side deleted, the other live: where deletions flow back, the later of the deletion and the live side's last change wins, a tie going
    /// to Propstreet. Both instants are users' changes (<see cref="SideState.UpdatedUtc"/>): the hub's own push seen
    /// back carries the instant of the change it propagated, so it never revives a later deletion.
    /// </summary>
    private static (RecordAction Action, string Reason) DeletedOnOneSide(TwoWayFields table, SideState propstreet, SideState hubspot)
    {
        if (!table.DeletionsFlowBack)
        {
            // The record exists because Propstreet's does: a deletion there is final, one in HubSpot is undone.
            return propstreet.Deleted
                ? (RecordAction.DeleteInHubSpot, $"Propstreet deleted the {table.Kind} at {At(propstreet.UpdatedUtc)}; a {table.Kind} exists as long as Propstreet's does.")
                : (RecordAction.ReviveInHubSpot, $"HubSpot deleted the {table.Kind} at {At(hubspot.UpdatedUtc)}; a {table.Kind} exists as long as Propstreet's does, so the push restores it.");
        }

        var propstreetDeleted = propstreet.Deleted;
        var (deleted, live) = propstreetDeleted ? (propstreet, hubspot) : (hubspot, propstreet);
        var (deletedName, liveName) = propstreetDeleted ? ("Propstreet", "HubSpot") : ("HubSpot", "Propstreet");
        var (deletedTime, liveTime) = (deleted.UpdatedUtc ?? DateTimeOffset.MinValue, live.UpdatedUtc ?? DateTimeOffset.MinValue);
        var tie = liveTime == deletedTime;
        var why = tie ? "Propstreet wins ties" : "newest wins";
        var liveWins = liveTime > deletedTime || (tie && !propstreetDeleted);
        return liveWins
            ? (propstreetDeleted ? RecordAction.ReviveInPropstreet : RecordAction.ReviveInHubSpot,
                $"{liveName} changed the {table.Kind} at {At(live.UpdatedUtc)}, {(tie ? "at the same instant as" : "after")} {deletedName} deleted it at {At(deleted.UpdatedUtc)}; {why}.")
            : (propstreetDeleted ? RecordAction.DeleteInHubSpot : RecordAction.DeleteInPropstreet,
                $"{deletedName} deleted the {table.Kind} at {At(deleted.UpdatedUtc)}, {(tie ? "at the same instant as" : "after")} {liveName}'s last change at {At(live.UpdatedUtc)}; {why}.");
    }

    private static string At(DateTimeOffset? at) =>
        at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) : "an unknown time";
}
