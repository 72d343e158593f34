using System.Text.Json.Serialization;

namespace Hub.Sync.TwoWay;

/// <summary>Which side's value a field ends with; <see cref="None"/> when both already hold the same value.</summary>
public enum Winner
{
    None = 0,
    Propstreet = 1,
    HubSpot = 2,
}

/// <summary>
/// The rule that decided a field. Stored by name in <see cref="SyncDecided"/> (the event store keeps enums as
/// strings): a name never changes meaning and is never renamed.
/// </summary>
public enum DecisionRule
{
    /// <summary>Both sides hold one value under the field's equivalence: nothing to write.</summary>
    Equal = 0,
    /// <summary>Only Propstreet moved away from the last synced value.</summary>
    OnlyPropstreetChanged = 1,
    /// <summary>Only HubSpot moved away from the last synced value.</summary>
    OnlyHubSpotChanged = 2,
    /// <summary>Both changed it since the last sync; the field's owner wins.</summary>
    Owner = 3,
    /// <summary>Both changed it since the last sync (or never synced); the later change wins, a tie goes to Propstreet.</summary>
    Newer = 4,
    /// <summary>Derived from Propstreet and never written back: Propstreet wins, the push restores HubSpot.</summary>
    PropstreetDerived = 5,
    /// <summary>HubSpot holds nothing for the field (a pair without a classification label): nothing to write.</summary>
    NoHubSpotValue = 6,
}

/// <summary>What happens to the record as a whole: deletions and revivals, the newer side winning.</summary>
public enum RecordAction
{
    None = 0,
    DeleteInPropstreet = 1,
    DeleteInHubSpot = 2,
    ReviveInPropstreet = 3,
    ReviveInHubSpot = 4,
}

/// <summary>
/// How one HubSpot property was decided, with both sides' values, the last synced value (null when never synced)
/// and each side's change instant: the answer to "why does HubSpot hold this value". <see cref="Reason"/> says it
/// in one line.
/// </summary>
public sealed record FieldDecision(
    string Property,
    Winner Winner,
    DecisionRule Rule,
    string PropstreetValue,
    string HubSpotValue,
    string? BaselineValue,
    DateTimeOffset? PropstreetChangedUtc,
    DateTimeOffset? HubSpotChangedUtc,
    string Reason)
{
    /// <summary>The value both sides hold once the decision is carried out (derived, so not stored).</summary>
    [JsonIgnore]
    public string AgreedValue => Winner == Winner.HubSpot ? HubSpotValue : PropstreetValue;
}

/// <summary>
/// The decision for one record (<see cref="TwoWayMerge.Decide"/>): per field who wins and why, what each side must be
/// sent, and the record-level action. <see cref="Nothing"/> when neither side needs a write — what the hub's own
/// write decides when it is seen back (an echo).
/// </summary>
public sealed record TwoWayDecision(
    IReadOnlyList<FieldDecision> Fields, RecordAction RecordAction, string? RecordReason, DateTimeOffset DecidedUtc)
{
    /// <summary>
    /// Property → value HubSpot must be sent: those Propstreet won, or on <see cref="RecordAction.ReviveInHubSpot"/>
    /// every agreed value (HubSpot cannot restore an archived contact through its API, so the push creates it anew).
    /// </summary>
    public IReadOnlyDictionary<string, string> ToHubSpot { get; } = RecordAction == RecordAction.ReviveInHubSpot
        ? Fields.ToDictionary(f => f.Property, f => f.AgreedValue, StringComparer.Ordinal)
        : Values(Fields, Winner.Propstreet);

    /// <summary>
    /// Property (HubSpot name) → HubSpot's value to write back to Propstreet (on
    /// <see cref="RecordAction.ReviveInPropstreet"/> with revive=true: Propstreet keeps its other values);
    /// <see cref="ContactFields.ToPropstreetChanges"/> turns it into the upsert body.
    /// </summary>
    public IReadOnlyDictionary<string, string> ToPropstreet { get; } = Values(Fields, Winner.HubSpot);

    /// <summary>Neither side needs a write.</summary>
    public bool Nothing => RecordAction == RecordAction.None && ToHubSpot.Count == 0 && ToPropstreet.Count == 0;

    /// <summary>
    /// The values both sides hold once the decision is carried out: the next baseline. Empty when the record ends
    /// deleted on both sides (<see cref="EndsDeleted"/>), whose baseline is the last live one.
    /// </summary>
    public IReadOnlyDictionary<string, string> Agreed { get; } =
        Fields.ToDictionary(f => f.Property, f => f.AgreedValue, StringComparer.Ordinal);

    /// <summary>Whether the record ends deleted on both sides.</summary>
    public bool EndsDeleted { get; init; }

    private static Dictionary<string, string> Values(IReadOnlyList<FieldDecision> fields, Winner side) =>
        fields.Where(f => f.Winner == side)
            .ToDictionary(f => f.Property, f => side == Winner.HubSpot ? f.HubSpotValue : f.PropstreetValue, StringComparer.Ordinal);
}
