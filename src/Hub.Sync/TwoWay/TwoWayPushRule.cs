namespace Hub.Sync.TwoWay;

/// <summary>
/// What the push may send of a record on a two-way connection, given what HubSpot holds right now (read just before
/// the write; HubSpot has no If-Match). A value HubSpot changed since the last sync is not overwritten: the change is
/// on its way in, and the conflict rule (<see cref="TwoWayMerge"/>, with both sides' per-field clocks) settles it.
/// Sent: values HubSpot still holds as last synced, values never synced, Propstreet-derived values, and values a
/// decision ruled against (<paramref name="overrides"/>, while HubSpot still holds the value that lost).
/// </summary>
public static class TwoWayPushRule
{
    /// <param name="table">The kind of record.</param>
    /// <param name="target">What Propstreet's record maps to.</param>
    /// <param name="held">HubSpot's current values of the compared properties.</param>
    /// <param name="baseline">The values both sides agreed on at the last sync; null when never synced.</param>
    /// <param name="overrides">Property → the HubSpot value the last decision ruled against.</param>
    /// <returns>The properties to send, the properties held back, and the baseline once the send went through.</returns>
    public static TwoWayPush For(
        TwoWayFields table,
        IReadOnlyDictionary<string, string> target,
        IReadOnlyDictionary<string, string> held,
        IReadOnlyDictionary<string, string>? baseline,
        IReadOnlyDictionary<string, string>? overrides)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(held);
        var send = new Dictionary<string, string>(StringComparer.Ordinal);
        var heldBack = new List<string>();
        var synced = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in table.All)
        {
            var name = field.Property;
            var wanted = target.GetValueOrDefault(name) ?? "";
            var current = held.GetValueOrDefault(name) ?? "";
            if (table.Same(name, wanted, current))
                synced[name] = current;
            else if (baseline is null || !field.FlowsBack || table.Same(name, current, baseline.GetValueOrDefault(name))
                     || (overrides is not null && overrides.TryGetValue(name, out var lost) && table.Same(name, current, lost)))
                synced[name] = send[name] = wanted;
            else
            {
                heldBack.Add(name);
                synced[name] = baseline.GetValueOrDefault(name) ?? "";
            }
        }

        return new TwoWayPush(send, heldBack, synced);
    }
}

/// <summary>What a two-way push sends (<see cref="Send"/>), leaves to the conflict rule (<see cref="HeldBack"/>), and the baseline after it (<see cref="Synced"/>).</summary>
public sealed record TwoWayPush(IReadOnlyDictionary<string, string> Send, IReadOnlyList<string> HeldBack, IReadOnlyDictionary<string, string> Synced);
