namespace Hub.Sync.TwoWay;

/// <summary>
/// The hub decided a two-way sync of one record (<c>twoway.decided.v1</c>), appended to the HubSpot record's stream:
/// every field's winner, rule, values and instants, the record-level action (<see cref="RecordAction"/>'s name, null
/// for none), and the versions of both sides' streams it saw. The API answers "why does HubSpot hold this value" from
/// the latest one.
/// </summary>
public sealed record SyncDecided(
    string Connection,
    string HubSpotId,
    IReadOnlyList<FieldDecision> Fields,
    string? RecordAction,
    long PropstreetVersion,
    long HubSpotVersion,
    DateTimeOffset DecidedUtc,
    string? RecordReason = null)
{
    public const string EventTypeName = "twoway.decided.v1";
}
