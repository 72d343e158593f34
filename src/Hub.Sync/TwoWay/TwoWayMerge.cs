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
    /// <param name="propstreet">Propstreet's contact, mapped into HubSpot properties.</param>
    /// <param name="hubspot">HubSpot's contact as read.</param>
    /// <param name="baseline">The values both sides agreed on at the last sync; null when never synced.</param>
    /// <param name="ownership">Who settles simultaneous edits.</param>
    /// <param name="now">The decision's instant.</param>
    /// <param name="baselineDeleted">Whether the record was deleted on both sides at the last sync.</param>
    public static TwoWayDecision Decide(
        SideState propstreet,
        SideState hubspot,
        IReadOnlyDictionary<string, string>? baseline,
        FieldOwnership ownership,
        DateTimeOffset now,
        bool baselineDeleted = false)
    {
        ArgumentNullException.ThrowIfNull(propstreet);
        ArgumentNullException.ThrowIfNull(hubspot);
        ArgumentNullException.ThrowIfNull(ownership);

        if (propstreet.Deleted && hubspot.Deleted)
            return new TwoWayDecision([], RecordAction.None, "Deleted on both sides.", now) { EndsDeleted = true };
        if (propstreet.Deleted || hubspot.Deleted)
            return DeletedOnOneSide(propstreet, hubspot, baseline, baselineDeleted, now);

        var fields = ContactFields.All.Select(f => DecideField(f, propstreet, hubspot, baseline, ownership)).ToList();
        return new TwoWayDecision(fields, RecordAction.None, null, now);
    }

    private static FieldDecision DecideField(
        ContactField field, SideState propstreet, SideState hubspot, IReadOnlyDictionary<string, string>? baseline, FieldOwnership ownership)
    {
        var name = field.Property;
        var (p, h) = (propstreet.ValueOf(name), hubspot.ValueOf(name));
        var b = baseline is null ? null : baseline.GetValueOrDefault(name) ?? "";
        var (pAt, hAt) = (propstreet.ChangedAt(name), hubspot.ChangedAt(name));
        FieldDecision Decided(Winner winner, DecisionRule rule, string reason) => new(name, winner, rule, p, h, b, pAt, hAt, reason);

        if (ContactFields.Same(name, p, h))
            return Decided(Winner.None, DecisionRule.Equal, $"Both sides hold the same {name}.");
        if (!field.FlowsBack)
            return Decided(Winner.Propstreet, DecisionRule.PropstreetDerived,
                $"{name} is derived from Propstreet and never written back; Propstreet's value is pushed.");
        if (b is not null && ContactFields.Same(name, h, b))
            return Decided(Winner.Propstreet, DecisionRule.OnlyPropstreetChanged,
                $"Propstreet changed {name} at {At(pAt)}; HubSpot still holds the value of the last sync.");
        if (b is not null && ContactFields.Same(name, p, b))
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
    /// One side deleted, the other live. Each counts as changed since the last sync when it moved: the deletion when
    /// the record was live at the last sync, the live side when it was revived (deleted at the last sync) or moved a
    /// field it can win away from the last synced value. Only one changed → it wins; both → the later instant, a tie
    /// going to Propstreet. A live side that did not change (the hub's own push seen back) never revives a deletion.
    /// </summary>
    private static TwoWayDecision DeletedOnOneSide(
        SideState propstreet, SideState hubspot, IReadOnlyDictionary<string, string>? baseline, bool baselineDeleted, DateTimeOffset now)
    {
        var propstreetDeleted = propstreet.Deleted;
        var (deleted, live) = propstreetDeleted ? (propstreet, hubspot) : (hubspot, propstreet);
        var (deletedName, liveName) = propstreetDeleted ? ("Propstreet", "HubSpot") : ("HubSpot", "Propstreet");

        var deletionIsNew = baseline is null || !baselineDeleted;
        var liveFields = ContactFields.All.Where(f => !propstreetDeleted || f.FlowsBack).ToList();
        var moved = baseline is null || baselineDeleted
            ? liveFields
            : liveFields.Where(f => !ContactFields.Same(f.Property, live.ValueOf(f.Property), baseline.GetValueOrDefault(f.Property))).ToList();
        var liveChangedAt = baseline is null || baselineDeleted
            ? live.UpdatedUtc
            : moved.Select(f => live.ChangedAt(f.Property)).Max();

        bool liveWins;
        string reason;
        if (moved.Count == 0)
            (liveWins, reason) = (false, $"{deletedName} deleted the contact at {At(deleted.UpdatedUtc)}; {liveName} has not changed it since the last sync.");
        else if (!deletionIsNew)
            (liveWins, reason) = (true, $"{liveName} revived the contact at {At(live.UpdatedUtc)}; it was deleted on both sides at the last sync.");
        else
        {
            var (deletedTime, liveTime) = (deleted.UpdatedUtc ?? DateTimeOffset.MinValue, liveChangedAt ?? DateTimeOffset.MinValue);
            liveWins = liveTime > deletedTime || (liveTime == deletedTime && !propstreetDeleted);
            reason = liveWins
                ? $"{liveName} changed the contact at {At(liveChangedAt)}, {(liveTime == deletedTime ? "at the same instant as" : "after")} {deletedName} deleted it at {At(deleted.UpdatedUtc)}; {(liveTime == deletedTime ? "Propstreet wins ties" : "newest wins")}."
                : $"{deletedName} deleted the contact at {At(deleted.UpdatedUtc)}, {(liveTime == deletedTime ? "at the same instant as" : "after")} {liveName}'s last change at {At(liveChangedAt)}; {(liveTime == deletedTime ? "Propstreet wins ties" : "newest wins")}.";
        }

        if (!liveWins)
        {
            var action = propstreetDeleted ? RecordAction.DeleteInHubSpot : RecordAction.DeleteInPropstreet;
            return new TwoWayDecision([], action, reason, now) { EndsDeleted = true };
        }

        var revive = propstreetDeleted ? RecordAction.ReviveInPropstreet : RecordAction.ReviveInHubSpot;
        var fields = ContactFields.All.Select(f => Revived(f, propstreet, hubspot, baseline, propstreetDeleted)).ToList();
        return new TwoWayDecision(fields, revive, reason, now);
    }

    /// <summary>On a revival the live side's values win every field it can write; the deleted copy's values are not trusted.</summary>
    private static FieldDecision Revived(
        ContactField field, SideState propstreet, SideState hubspot, IReadOnlyDictionary<string, string>? baseline, bool propstreetRevived)
    {
        var name = field.Property;
        var (p, h) = (propstreet.ValueOf(name), hubspot.ValueOf(name));
        var b = baseline is null ? null : baseline.GetValueOrDefault(name) ?? "";
        var (pAt, hAt) = (propstreet.ChangedAt(name), hubspot.ChangedAt(name));
        if (!propstreetRevived)
            return new(name, Winner.Propstreet, DecisionRule.Revived, p, h, b, pAt, hAt, $"HubSpot's contact is revived with Propstreet's {name}.");
        return field.FlowsBack
            ? new(name, Winner.HubSpot, DecisionRule.Revived, p, h, b, pAt, hAt, $"Propstreet's contact is revived with HubSpot's {name}.")
            : new(name, ContactFields.Same(name, p, h) ? Winner.None : Winner.Propstreet, DecisionRule.PropstreetDerived, p, h, b, pAt, hAt,
                $"{name} is derived from Propstreet and never written back; Propstreet's value is pushed.");
    }

    private static string At(DateTimeOffset? at) =>
        at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) : "an unknown time";
}
