using Hub.Sync.Records;

namespace Hub.Sync.TwoWay;

/// <summary>
/// Both sides of a linked record as <see cref="TwoWayMerge.Decide"/> sees them, built from the states of the two
/// record streams (<c>propstreet-contact-…</c>, <c>hubspot-contact-…</c>), oldest first, so every property carries the
/// instant of its own last change (<see cref="FieldClock"/>), not its record's. The field table says how each side's
/// states read as HubSpot properties.
/// </summary>
public static class TwoWaySides
{
    /// <summary>The Propstreet record mapped into HubSpot properties, per state.</summary>
    /// <param name="baseline">The values both sides agreed on at the last sync (null: never synced); see <see cref="Side"/>.</param>
    public static SideState Propstreet(TwoWayFields table, IReadOnlyList<SourceRecord> statesOldestFirst, IReadOnlyDictionary<string, string>? baseline = null) =>
        Side(table, statesOldestFirst, Mapped(statesOldestFirst, table.FromPropstreet), baseline);

    /// <summary>The HubSpot record's properties as observed, per state.</summary>
    public static SideState HubSpot(TwoWayFields table, IReadOnlyList<SourceRecord> statesOldestFirst, IReadOnlyDictionary<string, string>? baseline = null) =>
        Side(table, statesOldestFirst, Mapped(statesOldestFirst, table.FromHubSpot), baseline);

    /// <summary>
    /// Both sides, each property's instant corrected for echoes: a value one side holds that the other side held
    /// before is most likely the hub's own write carried over (a push, a write-back), and its instant is the one of
    /// the change it carried, not of the write. Without this, the echo of a push made just after a newer edit in
    /// Propstreet would look like a newer HubSpot edit and win it back (an older value overwriting a newer one).
    /// </summary>
    public static (SideState Propstreet, SideState HubSpot) Both(
        TwoWayFields table, IReadOnlyList<SourceRecord> propstreetStates, IReadOnlyList<SourceRecord> hubSpotStates, IReadOnlyDictionary<string, string>? baseline)
    {
        ArgumentNullException.ThrowIfNull(table);
        // Each state is mapped once: the side's clocks and the values it took come from the same list.
        var (propstreetMapped, hubSpotMapped) = (Mapped(propstreetStates, table.FromPropstreet), Mapped(hubSpotStates, table.FromHubSpot));
        return (
            WithEchoInstants(table, Side(table, propstreetStates, propstreetMapped, baseline), ValuesTaken(table, hubSpotMapped)),
            WithEchoInstants(table, Side(table, hubSpotStates, hubSpotMapped, baseline), ValuesTaken(table, propstreetMapped)));
    }

    /// <summary>Each state's instant and compared properties, oldest first.</summary>
    private static List<(DateTimeOffset At, IReadOnlyDictionary<string, string> Properties)> Mapped(
        IReadOnlyList<SourceRecord> states, Func<SourceRecord, IReadOnlyDictionary<string, string>> properties)
    {
        ArgumentNullException.ThrowIfNull(states);
        if (states.Count == 0)
            throw new ArgumentException("A side needs at least one state.", nameof(states));
        return [.. states.Select(s => (Instant(s), properties(s)))];
    }

    /// <summary>Per property, each value a side took, with the instant it last took it.</summary>
    private static Dictionary<string, List<(string Value, DateTimeOffset At)>> ValuesTaken(
        TwoWayFields table, List<(DateTimeOffset At, IReadOnlyDictionary<string, string> Properties)> mapped)
    {
        var taken = table.All.ToDictionary(f => f.Property, _ => new List<(string, DateTimeOffset)>(), StringComparer.Ordinal);
        IReadOnlyDictionary<string, string>? previous = null;
        foreach (var (at, current) in mapped)
        {
            foreach (var field in table.All)
            {
                var value = current[field.Property];
                if (previous is null || !table.Same(field.Property, previous[field.Property], value))
                    taken[field.Property].Add((value, at));
            }

            previous = current;
        }

        return taken;
    }

    private static SideState WithEchoInstants(TwoWayFields table, SideState side, Dictionary<string, List<(string Value, DateTimeOffset At)>> otherTook)
    {
        if (side.ChangedUtc is null)
            return side;
        var changed = new Dictionary<string, DateTimeOffset>(side.ChangedUtc, StringComparer.Ordinal);
        foreach (var field in table.All)
        {
            var value = side.ValueOf(field.Property);
            if (value.Length == 0 || !changed.TryGetValue(field.Property, out var at))
                continue;
            // The other side's latest taking of this very value, before this side took it: the change carried over.
            var carried = otherTook[field.Property].Where(t => t.At <= at && table.Same(field.Property, t.Value, value)).Select(t => (DateTimeOffset?)t.At).LastOrDefault();
            if (carried is { } origin)
                changed[field.Property] = origin;
        }

        return side with { ChangedUtc = changed };
    }

    /// <summary>
    /// A live side's record instant, which the rule weighs against the other side's deletion, is its users' last
    /// change since the last sync: the latest change of a property that differs from the baseline, or none at all
    /// when it holds the baseline. The hub's own writes (the push, a write-back) leave a side at the baseline, so
    /// their echoes never count as an edit that outlives a deletion.
    /// </summary>
    private static SideState Side(
        TwoWayFields table, IReadOnlyList<SourceRecord> states, List<(DateTimeOffset At, IReadOnlyDictionary<string, string> Properties)> mapped, IReadOnlyDictionary<string, string>? baseline)
    {
        var last = states[^1];
        var changed = FieldClock.LastChanged(table, mapped);
        var current = mapped[^1].Properties;
        DateTimeOffset? instant = Instant(last);
        if (!last.IsDeleted && baseline is not null)
            instant = table.All.Where(f => !table.Same(f.Property, current[f.Property], baseline.GetValueOrDefault(f.Property)))
                .Select(f => (DateTimeOffset?)changed.GetValueOrDefault(f.Property, Instant(last)))
                .Max() ?? DateTimeOffset.MinValue;
        return new SideState(current, instant, last.IsDeleted, changed);
    }

    // A deleted state is versioned by its deletion (both sources stamp updatedUtc with it).
    private static DateTimeOffset Instant(SourceRecord state) => state.DeletedUtc is { } deleted && (state.UpdatedUtc is not { } u || deleted > u)
        ? deleted
        : state.UpdatedUtc ?? DateTimeOffset.MinValue;
}
