namespace Hub.Sync.HubSpot;

/// <summary>
/// HubSpot holds the record as mapped (<c>hubspot.pushed.v1</c>), appended to the source record's own stream so its
/// history reads "observed → pushed": <see cref="Hash"/> is what was sent (<see cref="HubSpotMapping.Hash"/>),
/// <see cref="HubSpotId"/> the object HubSpot keeps it under (for an association, <c>{fromId}-{toId}</c>),
/// <see cref="SourceVersion"/> the stream version it reflects. For a lead, <see cref="OwnerId"/> is the owner it was
/// assigned, or <see cref="Unassigned"/> when no listing matched its reference. On a two-way connection,
/// <see cref="Synced"/> holds the values both sides agree on after the push: the baseline the next conflict decision
/// tells each side's changes by (ADR 0021). <see cref="HubSpotModifiedUtc"/> is HubSpot's own last-modified
/// instant of the object as the push left it (or read it, when it sent nothing): an observation of HubSpot older than
/// it predates the hub's own write. <see cref="PlannedOnVersion"/> is the stream version of the read model the push
/// planned on (ledger included), and <see cref="Sent"/> the properties it wrote on a two-way connection: an outcome
/// planned before a two-way decision that was folded ahead of it changes that decision's baseline only where the push
/// wrote (<see cref="HubSpotRecord.Pushed"/>). Both are null in outcomes stored before they were recorded.
/// </summary>
public sealed record HubSpotPushed(
    string Connection, string HubSpotId, string Hash, long SourceVersion, DateTimeOffset PushedUtc, string? OwnerId = null, bool Unassigned = false,
    IReadOnlyDictionary<string, string>? Synced = null, DateTimeOffset? HubSpotModifiedUtc = null, long? PlannedOnVersion = null,
    IReadOnlyList<string>? Sent = null);

/// <summary>
/// A push of this record to HubSpot kept failing, or failed for good (<c>hubspot.parked.v1</c>): it is not retried
/// until the record changes again or an operator asks. The rest of its batch went on.
/// </summary>
public sealed record HubSpotPushParked(string Connection, string Hash, string Reason, int Attempts, DateTimeOffset ParkedUtc);

/// <summary>
/// The hub wrote HubSpot's winning values to Propstreet (<c>twoway.written_back.v1</c>), appended to the Propstreet
/// record's stream right after the record's new state (the write's response). <see cref="Synced"/> is the new
/// baseline; <see cref="Hash"/> is the record's mapped hash when HubSpot already holds all of it (nothing to push
/// back: the write's echo is recognised by it), or null when HubSpot still lacks part of it.
/// </summary>
public sealed record PropstreetWrittenBack(
    string Connection, string HubSpotId, string? Hash, IReadOnlyDictionary<string, string> Synced, long SourceVersion, string Action, DateTimeOffset WrittenUtc);

/// <summary>
/// A HubSpot change could not be written to Propstreet (<c>twoway.parked.v1</c>): a value Propstreet refuses (too
/// long, invalid), a conflict no rule settles, or retries that ran out. Visible with its reason; retried when either
/// side changes again.
/// </summary>
public sealed record PropstreetWriteParked(string Connection, string HubSpotId, string Reason, DateTimeOffset ParkedUtc);

/// <summary>
/// The HubSpot object this record was pushed to was merged into another (<c>hubspot.merged.v1</c>):
/// <see cref="PrimaryId"/> is where the record lives in HubSpot now, or null when the primary already stands for
/// another record (the push then creates this one anew). Either way the push reconciles what HubSpot holds.
/// </summary>
public sealed record HubSpotMerged(string Connection, string MergedId, string? PrimaryId, DateTimeOffset MergedUtc);
