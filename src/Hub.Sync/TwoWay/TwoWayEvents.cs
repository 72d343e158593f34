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

/// <summary>
/// Both sides hold <see cref="Values"/> (<c>twoway.baseline.v1</c>): recorded once the decided writes went through, it
/// is the baseline the next decision compares against to tell which side changed. <see cref="Deleted"/>: the record
/// is deleted on both sides (<see cref="Values"/> are then its last live values).
/// </summary>
public sealed record SyncBaselineRecorded(
    string Connection,
    string HubSpotId,
    IReadOnlyDictionary<string, string> Values,
    bool Deleted,
    long PropstreetVersion,
    long HubSpotVersion,
    DateTimeOffset RecordedUtc)
{
    public const string EventTypeName = "twoway.baseline.v1";
}
