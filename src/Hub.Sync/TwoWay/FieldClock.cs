namespace Hub.Sync.TwoWay;

/// <summary>
/// Per-property clocks from a record's successive states. A record-level timestamp loses updates: Propstreet edits
/// the email at t1, HubSpot the email at t2, Propstreet the first name at t3 — the records say Propstreet is newer,
/// yet HubSpot's email is the later edit. The engine feeds the mapped states of a record since the last sync.
/// </summary>
public static class FieldClock
{
    /// <summary>
    /// Per property, the instant of the state where it last took a new value (under the field's equivalence, so a
    /// reformatted phone is no change). A property unchanged throughout gets the first state's instant; one missing
    /// from a state holds "".
    /// </summary>
    public static IReadOnlyDictionary<string, DateTimeOffset> LastChanged(
        TwoWayFields table,
        IReadOnlyList<(DateTimeOffset At, IReadOnlyDictionary<string, string> Properties)> statesOldestFirst)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(statesOldestFirst);
        var changed = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        if (statesOldestFirst.Count == 0)
            return changed;
        var first = statesOldestFirst[0];
        foreach (var name in first.Properties.Keys)
            changed[name] = first.At;
        for (var i = 1; i < statesOldestFirst.Count; i++)
        {
            var (previous, (at, current)) = (statesOldestFirst[i - 1].Properties, statesOldestFirst[i]);
            foreach (var name in current.Keys.Union(previous.Keys, StringComparer.Ordinal))
            {
                if (!table.Same(name, previous.GetValueOrDefault(name), current.GetValueOrDefault(name)))
                    changed[name] = at;
                else
                    changed.TryAdd(name, first.At);
            }
        }

        return changed;
    }
}
