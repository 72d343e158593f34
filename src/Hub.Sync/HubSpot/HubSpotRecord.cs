using System.Text.Json.Serialization;
using Hub.Sync.Records;
using Hub.Sync.TwoWay;

namespace Hub.Sync.HubSpot;

/// <summary>
/// The HubSpot read model: for one source record (<see cref="Id"/> = its stream key), what HubSpot should hold
/// (<see cref="Target"/>, <see cref="Hash"/>) and, per HubSpot connection, what the hub last pushed there
/// (<see cref="Connections"/>). A record is in sync on a connection when the pushed hash equals <see cref="Hash"/>.
/// </summary>
public sealed record HubSpotRecord
{
    public required string Id { get; init; }

    private readonly SourceRecord _source = null!;
    private HubSpotTarget? _target;
    private bool _mapped;

    public required SourceRecord Source
    {
        get => _source;
        init
        {
            _source = value;
            _mapped = false;
        }
    }

    /// <summary>
    /// Null when the record has no HubSpot counterpart (linked properties, a prospect without a contact). Not stored:
    /// the mapping of <see cref="Source"/>, made on first use (ADR 0020 addendum). Storing it made every document a
    /// quarter larger for what a pure function gives back, and each document is read and written several times per
    /// change. <see cref="Hash"/> is stored, so queries tell mapped records (hash not null) and sync state apart.
    /// </summary>
    [JsonIgnore]
    public HubSpotTarget? Target
    {
        get
        {
            if (!_mapped)
            {
                _target = HubSpotMapping.Map(_source);
                _mapped = true;
            }

            return _target;
        }
    }

    public string? Hash { get; init; }

    /// <summary>For an association: the streams whose HubSpot ids it needs first (its two ends); indexed, so a pushed end finds what waits on it.</summary>
    public string? LinkFromKey { get; init; }

    public string? LinkToKey { get; init; }

    public Dictionary<string, HubSpotPushState> Connections { get; init; } = new(StringComparer.Ordinal);

    /// <summary>The stream version this document reflects (record events and push events alike).</summary>
    public long Version { get; init; }

    public HubSpotPushState? On(string connection) => Connections.GetValueOrDefault(connection);

    public bool InSyncOn(string connection) => Hash is null || On(connection)?.Hash == Hash;

    /// <summary>Out of sync and not parked at the current hash: the push has work here.</summary>
    public bool PendingOn(string connection) => !InSyncOn(connection) && On(connection)?.Parked?.Hash != Hash;

    public static HubSpotRecord Observed(HubSpotRecord? current, SourceRecord source, long version)
    {
        var target = HubSpotMapping.Map(source);
        return new HubSpotRecord
        {
            Id = source.Id,
            // The target itself is not kept (mapped again on first use): documents held in bulk, as a rebuild holds
            // every one, carry only the state.
            Source = source,
            Hash = target is null ? null : HubSpotMapping.Hash(target),
            LinkFromKey = target?.Link?.FromKey,
            LinkToKey = target?.Link?.ToKey,
            Connections = current?.Connections ?? new(StringComparer.Ordinal),
            Version = version,
        };
    }

    /// <summary>
    /// HubSpot took the push. The push and the two-way subscription run side by side, and the push appends its outcome
    /// at the stream's version when it is done, so a two-way decision can be folded between the read model the push
    /// planned on and its outcome. Such an outcome keeps the decision's state (its mark, the values it overrides, its
    /// baseline) and changes the baseline only for the properties the push wrote: HubSpot and Propstreet's record it
    /// planned on agreed on those. Its own baseline for the rest was read before HubSpot's change was decided: taking
    /// it would hold back the values Propstreet won, and its hash would end a push the decision asked for.
    /// </summary>
    public HubSpotRecord Pushed(HubSpotPushed e, long version)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (On(e.Connection) is { } decided && e.PlannedOnVersion < decided.DecidedVersion)
        {
            var synced = decided.Synced is null ? null : new Dictionary<string, string>(decided.Synced, StringComparer.Ordinal);
            if (synced is not null && e.Synced is not null)
                foreach (var property in (e.Sent ?? []).Where(e.Synced.ContainsKey))
                    synced[property] = e.Synced[property];
            return WithConnection(e.Connection, decided with
            {
                PushedUtc = e.PushedUtc,
                HubSpotModifiedUtc = Later(decided.HubSpotModifiedUtc, e.HubSpotModifiedUtc),
                Synced = synced,
            }, version);
        }

        var state = new HubSpotPushState(e.HubSpotId, e.Hash, e.SourceVersion, e.PushedUtc, e.OwnerId, e.Unassigned, Parked: null)
        {
            Synced = e.Synced ?? On(e.Connection)?.Synced,
            HubSpotModifiedUtc = e.HubSpotModifiedUtc ?? On(e.Connection)?.HubSpotModifiedUtc,
            DecidedVersion = On(e.Connection)?.DecidedVersion ?? 0,
        };
        return WithConnection(e.Connection, state, version);
    }

    /// <summary>HubSpot's values went to Propstreet: the connection's baseline moves, and the hash when HubSpot already holds everything.</summary>
    public HubSpotRecord WrittenBack(PropstreetWrittenBack e, long version)
    {
        ArgumentNullException.ThrowIfNull(e);
        var before = On(e.Connection) ?? HubSpotPushState.None;
        return WithConnection(e.Connection, before with
        {
            HubSpotId = e.HubSpotId,
            Hash = e.Hash ?? before.Hash,
            SourceVersion = e.SourceVersion,
            Synced = e.Synced,
            WriteParked = null,
            DecidedVersion = version,
        }, version);
    }

    /// <summary>
    /// A two-way decision: where Propstreet won fields HubSpot had changed, HubSpot no longer holds what was pushed, so
    /// the push has work, and it may overwrite exactly those HubSpot values (<see cref="HubSpotPushState.Overrides"/>).
    /// A contact to revive in HubSpot is created anew (HubSpot's API cannot restore it), so its old id is dropped.
    /// </summary>
    public HubSpotRecord Decided(SyncDecided e, long version)
    {
        ArgumentNullException.ThrowIfNull(e);
        var revive = e.RecordAction == nameof(RecordAction.ReviveInHubSpot);
        var overrides = e.Fields.Where(f => f.Winner == Winner.Propstreet).ToDictionary(f => f.Property, f => f.HubSpotValue, StringComparer.Ordinal);
        if (overrides.Count == 0 && !revive && e.RecordAction != nameof(RecordAction.DeleteInHubSpot))
            return this with { Version = version };
        var before = On(e.Connection) ?? HubSpotPushState.None;
        return WithConnection(e.Connection, before with
        {
            Hash = null,
            HubSpotId = revive ? null : before.HubSpotId,
            Overrides = overrides,
            DeleteDecided = e.RecordAction == nameof(RecordAction.DeleteInHubSpot),
            DecidedVersion = version,
        }, version);
    }

    /// <summary>The HubSpot object was merged: the record follows it to the primary, and the push reconciles what HubSpot holds.</summary>
    public HubSpotRecord Merged(HubSpotMerged e, long version)
    {
        ArgumentNullException.ThrowIfNull(e);
        var before = On(e.Connection) ?? HubSpotPushState.None;
        return WithConnection(e.Connection, before with { HubSpotId = e.PrimaryId, Hash = null, DecidedVersion = version }, version);
    }

    public HubSpotRecord WriteParked(PropstreetWriteParked e, long version)
    {
        ArgumentNullException.ThrowIfNull(e);
        return WithConnection(e.Connection, (On(e.Connection) ?? HubSpotPushState.None) with { WriteParked = e.Reason }, version);
    }

    private static DateTimeOffset? Later(DateTimeOffset? one, DateTimeOffset? other) => one is null || other > one ? other ?? one : one;

    private HubSpotRecord WithConnection(string connection, HubSpotPushState state, long version) =>
        this with { Connections = new Dictionary<string, HubSpotPushState>(Connections, StringComparer.Ordinal) { [connection] = state }, Version = version };

    public HubSpotRecord Parked(HubSpotPushParked e, long version)
    {
        ArgumentNullException.ThrowIfNull(e);
        var parking = new HubSpotParking(e.Hash, e.Reason, e.Attempts, e.ParkedUtc);
        return WithConnection(e.Connection, (On(e.Connection) ?? HubSpotPushState.None) with { Parked = parking }, version);
    }
}

/// <summary>
/// What one HubSpot connection holds of the record: its HubSpot id, the hash last pushed, the source version that
/// push reflected, a lead's owner assignment, and the parking of a push that kept failing.
/// </summary>
public sealed record HubSpotPushState(
    string? HubSpotId, string? Hash, long SourceVersion, DateTimeOffset? PushedUtc, string? OwnerId, bool Unassigned, HubSpotParking? Parked)
{
    public static HubSpotPushState None { get; } = new(null, null, 0, null, null, false, null);

    /// <summary>Two-way connections: the values both sides agreed on at the last push or write-back (the conflict rule's baseline).</summary>
    public IReadOnlyDictionary<string, string>? Synced { get; init; }

    /// <summary>
    /// Two-way connections: HubSpot's last-modified instant of the object as the hub's last push left or read it. A HubSpot
    /// observation older than this predates the hub's own write and is not decided on: its echo is.
    /// </summary>
    public DateTimeOffset? HubSpotModifiedUtc { get; init; }

    /// <summary>Why HubSpot's last change could not be written to Propstreet, until a write succeeds.</summary>
    public string? WriteParked { get; init; }

    /// <summary>
    /// HubSpot values the last two-way decision ruled against (property → the HubSpot value Propstreet won over): the
    /// push may overwrite these, and only these, of the values HubSpot changed since the last sync.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Overrides { get; init; }

    /// <summary>The last two-way decision deleted the record in HubSpot over HubSpot's own changes: the push archives it all the same.</summary>
    public bool DeleteDecided { get; init; }

    /// <summary>
    /// The stream version of the last two-way event that set this connection's baseline or marked the record for the
    /// push (a decision Propstreet won fields of, a write-back, a merge); 0 when none. A push outcome planned before it
    /// does not undo it (<see cref="HubSpotRecord.Pushed"/>).
    /// </summary>
    public long DecidedVersion { get; init; }
}

/// <summary>A parked push: the hash it tried to send, why it failed, after how many attempts.</summary>
public sealed record HubSpotParking(string Hash, string Reason, int Attempts, DateTimeOffset ParkedUtc);
