namespace Hub.Sync.TwoWay;

/// <summary>
/// One side of a record as the decision sees it, in HubSpot property space: <see cref="Properties"/> (a missing
/// property is ""; for a deleted record, its last live values), <see cref="UpdatedUtc"/> the record's last change
/// (for a deleted record, its deletion), <see cref="ChangedUtc"/> the instant of each property's last change where the
/// caller knows it (<see cref="FieldClock.LastChanged"/>); a property without one falls back to <see cref="UpdatedUtc"/>.
/// All instants are those of a user's change: where a value (or a deletion) is the hub's own write, the instant is the
/// one of the change the hub propagated (from its ledger: the winner's instant in <see cref="SyncDecided"/>), never the
/// instant of the write, or the hub's echo would outrank the edits it carried.
/// </summary>
public sealed record SideState(
    IReadOnlyDictionary<string, string> Properties,
    DateTimeOffset? UpdatedUtc,
    bool Deleted,
    IReadOnlyDictionary<string, DateTimeOffset>? ChangedUtc = null)
{
    public string ValueOf(string property) => Properties.GetValueOrDefault(property) ?? "";

    /// <summary>When <paramref name="property"/> last changed on this side, as far as is known.</summary>
    public DateTimeOffset? ChangedAt(string property) =>
        ChangedUtc is not null && ChangedUtc.TryGetValue(property, out var at) ? at : UpdatedUtc;
}
