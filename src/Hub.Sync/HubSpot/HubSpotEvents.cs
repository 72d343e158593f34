namespace Hub.Sync.HubSpot;

/// <summary>
/// HubSpot holds the record as mapped (<c>hubspot.pushed.v1</c>), appended to the source record's own stream so its
/// history reads "observed → pushed": <see cref="Hash"/> is what was sent (<see cref="HubSpotMapping.Hash"/>),
/// <see cref="HubSpotId"/> the object HubSpot keeps it under (for an association, <c>{fromId}-{toId}</c>),
/// <see cref="SourceVersion"/> the stream version it reflects. For a lead, <see cref="OwnerId"/> is the owner it was
/// assigned, or <see cref="Unassigned"/> when no listing matched its reference.
/// </summary>
public sealed record HubSpotPushed(
    string Connection, string HubSpotId, string Hash, long SourceVersion, DateTimeOffset PushedUtc, string? OwnerId = null, bool Unassigned = false);

/// <summary>
/// A push of this record to HubSpot kept failing, or failed for good (<c>hubspot.parked.v1</c>): it is not retried
/// until the record changes again or an operator asks. The rest of its batch went on.
/// </summary>
public sealed record HubSpotPushParked(string Connection, string Hash, string Reason, int Attempts, DateTimeOffset ParkedUtc);
