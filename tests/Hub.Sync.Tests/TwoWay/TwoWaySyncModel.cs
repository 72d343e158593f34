using System.Globalization;
using Hub.Sync.Propstreet;
using Hub.Sync.TwoWay;

namespace Hub.Sync.Tests.TwoWay;

public enum Crm
{
    Propstreet,
    HubSpot,
}

/// <summary>One thing that happens in an interleaving, one minute apart.</summary>
public abstract record SyncStep;

/// <summary>A user edits field <see cref="Field"/> (of <see cref="TwoWaySyncModel.Fields"/>) in a notation of <see cref="Notation"/>.</summary>
public sealed record Edit(Crm Side, int Field, int Notation) : SyncStep;

public sealed record Delete(Crm Side) : SyncStep;

public sealed record Revive(Crm Side) : SyncStep;

/// <summary>An observation sent earlier arrives: late, repeated, out of order, or the echo of the hub's own write.</summary>
public sealed record Deliver(int Pick) : SyncStep;

/// <summary>The hub polls a side: a fresh observation arrives now.</summary>
public sealed record Poll(Crm Side) : SyncStep;

/// <summary>
/// A generated run. <see cref="SyncedAtStart"/>: both sides start agreed with a baseline, else different and never
/// synced. <see cref="FoldsWriteResponses"/>: the hub takes a write's response as the side's new state (its echo is
/// then a duplicate), else it waits for the echo before deciding again.
/// </summary>
public sealed record Interleaving(bool SyncedAtStart, bool FoldsWriteResponses, IReadOnlyList<SyncStep> Steps)
{
    public override string ToString() =>
        $"{(SyncedAtStart ? "synced" : "never synced")}, {(FoldsWriteResponses ? "folds write responses" : "waits for echoes")}: " +
        string.Join(", ", Steps.Select(s => s.ToString()));
}

/// <summary>What a side reported at one version; <see cref="Echo"/> when it reports the hub's own write.</summary>
public sealed record Observation(Crm Side, long Version, SideState State, int Echo = 0, long OtherHeldVersion = 0);

/// <summary>
/// A pure model of two-way sync: two CRMs holding per field a value and the instant a user wrote it, and a hub that
/// sees them only through observations (stale-dropped by version), decides with <see cref="TwoWayMerge.Decide"/>,
/// writes conditionally on the version it decided on (Propstreet's If-Match; a lost race re-reads both sides and
/// decides again) and records the baseline after each write. Values the hub writes carry the instant of the user's
/// change they propagate, as the engine derives it from its ledger; the sides report per-field instants the way the
/// engine's field clocks do (<see cref="FieldClock"/> is tested on its own).
/// </summary>
public sealed class TwoWaySyncModel
{
    /// <summary>The modelled fields: newest-wins, HubSpot-owned (configured), Propstreet-owned, notations, Propstreet-derived.</summary>
    public static readonly string[] Fields = ["firstname", "lastname", "email", "phone", "propstreet_tags", "jobtitle"];

    public static readonly FieldOwnership Ownership = FieldOwnership.FromConfiguration(new Dictionary<string, string> { ["lastname"] = "hubspot" });

    private static readonly DateTimeOffset Start = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);

    private readonly Side _propstreet = new(Crm.Propstreet);
    private readonly Side _hubspot = new(Crm.HubSpot);
    private readonly List<Observation> _sent = [];
    private readonly List<(Crm Side, string Field, string Value, DateTimeOffset At)> _userWrites = [];
    private readonly List<(bool Deletion, DateTimeOffset At)> _recordEvents = [];
    private readonly List<(FieldDecision Field, DateTimeOffset At)> _decided = [];
    private readonly List<(string Field, DateTimeOffset At)> _agreements = [];
    private readonly bool _folds;
    private Observation? _heldPropstreet;
    private Observation? _heldHubSpot;
    private long _awaitPropstreet;
    private long _awaitHubSpot;
    private Dictionary<string, string>? _baseline;
    private int _minute;
    private int _lastUserChange;
    private int _writeCount;

    private TwoWaySyncModel(bool folds) => _folds = folds;

    public List<string> Trace { get; } = [];

    public List<string> Violations { get; } = [];

    /// <summary>What the run went through, to show the generated runs reach every behaviour.</summary>
    public Dictionary<string, int> Seen { get; } = [];

    private DateTimeOffset Now => Start.AddMinutes(_minute);

    /// <summary>Plays <paramref name="run"/>, a catch-up round and a quiet round, and checks the outcome.</summary>
    public static TwoWaySyncModel Play(Interleaving run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var model = new TwoWaySyncModel(run.FoldsWriteResponses);
        model.Begin(run.SyncedAtStart);
        foreach (var step in run.Steps)
        {
            model._minute++;
            model.Trace.Add($"{model._minute}: {step}");
            model.Apply(step);
            model.NoteAgreements();
        }

        // Catch-up: the hub polls both sides until a round writes nothing (a hub that waits for its echoes needs a
        // round to see them).
        for (var round = 1; ; round++)
        {
            model._minute++;
            model.Trace.Add($"{model._minute}: catch-up round {round}");
            var writes = model._writeCount;
            model.Receive(model._propstreet.Observe());
            model.Receive(model._hubspot.Observe());
            if (model._writeCount == writes)
                break;
            if (round == 3)
            {
                model.Violations.Add("three catch-up rounds still wrote");
                break;
            }
        }

        model.Check();

        model._minute++;
        model.Trace.Add($"{model._minute}: quiet round");
        var before = model._writeCount;
        model.Receive(model._propstreet.Observe());
        model.Receive(model._hubspot.Observe());
        model.Sync();
        if (model._writeCount != before)
            model.Violations.Add($"the quiet round wrote {model._writeCount - before} times");
        return model;
    }

    private void Begin(bool synced)
    {
        foreach (var field in Fields)
        {
            var (p, h) = synced ? (Render(field, 0, 0), Render(field, 0, 0)) : (Render(field, -2, 0), Render(field, -1, 1));
            UserWrite(_propstreet, field, p, synced ? Start : Start.AddMinutes(-2));
            UserWrite(_hubspot, field, h, synced ? Start : Start.AddMinutes(-1));
        }

        _recordEvents.Add((false, Start.AddMinutes(-2)));
        _propstreet.Version = _hubspot.Version = 1;
        if (!synced)
            return;
        _heldPropstreet = _propstreet.Observe();
        _heldHubSpot = _hubspot.Observe();
        _baseline = Fields.ToDictionary(f => f, f => _propstreet.ValueOf(f));
        NoteAgreements();
    }

    /// <summary>The sides hold one value of a field: the last sync of that field as users see it.</summary>
    private void NoteAgreements() =>
        _agreements.AddRange(Fields.Where(f => ContactFields.Same(f, _propstreet.ValueOf(f), _hubspot.ValueOf(f))).Select(f => (f, Now)));

    private void Apply(SyncStep step)
    {
        switch (step)
        {
            case Edit(var crm, var field, var notation) when !SideOf(crm).Deleted:
                var side = SideOf(crm);
                UserWrite(side, Fields[field], Render(Fields[field], _minute, notation), Now);
                _recordEvents.Add((false, Now));
                Changed(side);
                break;
            case Delete(var crm) when !SideOf(crm).Deleted:
                (SideOf(crm).Deleted, SideOf(crm).RecordAt) = (true, Now);
                _recordEvents.Add((true, Now));
                Count("user deletion");
                Changed(SideOf(crm));
                break;
            case Revive(var crm) when SideOf(crm).Deleted:
                (SideOf(crm).Deleted, SideOf(crm).RecordAt) = (false, Now);
                _recordEvents.Add((false, Now));
                Count("user revival");
                Changed(SideOf(crm));
                break;
            case Deliver(var pick) when _sent.Count > 0:
                Receive(_sent[pick % _sent.Count]);
                break;
            case Poll(var crm):
                Receive(SideOf(crm).Observe());
                break;
        }
    }

    private void UserWrite(Side side, string field, string value, DateTimeOffset at)
    {
        var stored = side.Name == Crm.Propstreet ? AsPropstreetStores(field, value) : value;
        side.Fields[field] = (stored, at);
        _userWrites.Add((side.Name, field, stored, at));
    }

    private void Changed(Side side)
    {
        side.Version++;
        _lastUserChange = _minute;
        _sent.Add(side.Observe());
    }

    private void Receive(Observation observation)
    {
        var held = observation.Side == Crm.Propstreet ? _heldPropstreet : _heldHubSpot;
        if (held is not null && observation.Version <= held.Version)
        {
            Count(observation.Echo > 0 ? "echo dropped as a duplicate" : "stale or repeated observation dropped");
            return;
        }

        if (observation.Side == Crm.Propstreet)
            _heldPropstreet = observation;
        else
            _heldHubSpot = observation;

        // The hub's own write seen back, with nothing changed by users since and nothing new seen from the other side:
        // deciding on it must write nothing.
        var otherHeld = observation.Side == Crm.Propstreet ? _heldHubSpot : _heldPropstreet;
        var pureEcho = observation.Echo > 0 && _lastUserChange < observation.Echo && otherHeld?.Version == observation.OtherHeldVersion;
        var before = _writeCount;
        Sync();
        if (pureEcho)
        {
            Count("echo decided");
            if (_writeCount != before)
                Violations.Add($"minute {_minute}: the echo of the hub's write at minute {observation.Echo} caused {_writeCount - before} writes");
        }
    }

    private void Sync()
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (_heldPropstreet is null || _heldHubSpot is null)
                return;
            if (_heldPropstreet.Version < _awaitPropstreet || _heldHubSpot.Version < _awaitHubSpot)
                return;
            var decision = TwoWayMerge.Decide(ContactFields.Table, _heldPropstreet.State, _heldHubSpot.State, _baseline, Ownership, Now);
            _decided.AddRange(decision.Fields.Select(f => (f, Now)));
            foreach (var field in decision.Fields.Where(f => f.Winner != Winner.None))
                Count($"rule {field.Rule}");
            if (decision.RecordAction != RecordAction.None)
                Count(decision.RecordAction.ToString());

            var toPropstreet = decision.ToPropstreet.Count > 0 || decision.RecordAction is RecordAction.DeleteInPropstreet or RecordAction.ReviveInPropstreet;
            var toHubSpot = decision.ToHubSpot.Count > 0 || decision.RecordAction is RecordAction.DeleteInHubSpot or RecordAction.ReviveInHubSpot;
            if (toPropstreet && !TryWrite(_propstreet, decision))
                continue;
            RecordBaseline(decision, propstreetWritten: true, hubspotWritten: !toHubSpot);
            if (toHubSpot && !TryWrite(_hubspot, decision))
                continue;
            RecordBaseline(decision, propstreetWritten: true, hubspotWritten: true);
            return;
        }

        Violations.Add($"minute {_minute}: the hub lost three races in a row");
    }

    /// <summary>A write conditional on the version the decision saw; a lost race re-reads both sides.</summary>
    private bool TryWrite(Side side, TwoWayDecision decision)
    {
        var held = side.Name == Crm.Propstreet ? _heldPropstreet! : _heldHubSpot!;
        if (held.Version != side.Version)
        {
            Count("write lost a race (412), re-read and decided again");
            Trace.Add($"  {side.Name} moved since v{held.Version}: re-read");
            _heldPropstreet = _propstreet.Observe();
            _heldHubSpot = _hubspot.Observe();
            return false;
        }

        var other = side.Name == Crm.Propstreet ? _heldHubSpot!.State : _heldPropstreet!.State;
        switch (decision.RecordAction)
        {
            case RecordAction.DeleteInPropstreet or RecordAction.DeleteInHubSpot:
                (side.Deleted, side.RecordAt) = (true, other.UpdatedUtc!.Value);
                break;
            case RecordAction.ReviveInPropstreet or RecordAction.ReviveInHubSpot:
                (side.Deleted, side.RecordAt) = (false, other.UpdatedUtc!.Value);
                break;
        }

        if (side.Name == Crm.Propstreet)
        {
            // Through the upsert body, as Propstreet receives it.
            foreach (var (name, value) in ContactFields.ToPropstreetChanges(decision.ToPropstreet).Fields)
            {
                var property = ContactFields.All.Single(f => f.PropstreetField == name).Property;
                var text = value is IEnumerable<string> tags ? string.Join(';', tags) : (string?)value ?? "";
                var origin = decision.Fields.Single(f => f.Property == property).HubSpotChangedUtc!.Value;
                side.Write(property, AsPropstreetStores(property, text), origin);
            }
        }
        else
        {
            foreach (var (property, value) in decision.ToHubSpot)
            {
                var field = decision.Fields.Single(f => f.Property == property);
                side.Write(property, value, (field.Winner == Winner.HubSpot ? field.HubSpotChangedUtc : field.PropstreetChangedUtc)!.Value);
            }
        }

        side.Version++;
        _writeCount++;
        NoteAgreements();
        Trace.Add($"  hub wrote {side.Name} v{side.Version}: {decision.RecordAction} {string.Join(", ", (side.Name == Crm.Propstreet ? decision.ToPropstreet : decision.ToHubSpot).Select(p => $"{p.Key}={p.Value}"))}");
        var echo = side.Observe() with { Echo = _minute, OtherHeldVersion = side.Name == Crm.Propstreet ? _heldHubSpot!.Version : _heldPropstreet!.Version };
        _sent.Add(echo);
        if (_folds)
        {
            if (side.Name == Crm.Propstreet)
                _heldPropstreet = echo;
            else
                _heldHubSpot = echo;
        }
        else if (side.Name == Crm.Propstreet)
            _awaitPropstreet = side.Version;
        else
            _awaitHubSpot = side.Version;
        return true;
    }

    /// <summary>
    /// The fields both sides now hold become the baseline: all once every write went through, after a partial write
    /// only those the written side took (so deciding again does not mistake the hub's own write for a user's).
    /// </summary>
    private void RecordBaseline(TwoWayDecision decision, bool propstreetWritten, bool hubspotWritten)
    {
        if (decision.EndsDeleted)
            return;
        var baseline = _baseline is null ? [] : new Dictionary<string, string>(_baseline);
        foreach (var field in decision.Fields)
        {
            var agreed = field.Winner switch
            {
                Winner.HubSpot => propstreetWritten,
                Winner.Propstreet => hubspotWritten,
                _ => true,
            };
            if (agreed)
                baseline[field.Property] = field.AgreedValue;
        }

        _baseline = baseline;
    }

    /// <summary>Parity, the newer side winning deletions, and every field holding its newest write unless an owner decided.</summary>
    private void Check()
    {
        var (p, h) = (_propstreet, _hubspot);
        var newestRecordEvent = _recordEvents.MaxBy(e => e.At);
        if (p.Deleted != h.Deleted)
            Violations.Add($"parity: Propstreet {(p.Deleted ? "deleted" : "live")}, HubSpot {(h.Deleted ? "deleted" : "live")}");
        if (p.Deleted != newestRecordEvent.Deletion)
            Violations.Add($"the newest record change ({(newestRecordEvent.Deletion ? "a deletion" : "an edit or revival")} at {Minute(newestRecordEvent.At)}) did not win");
        if (p.Deleted || h.Deleted)
            return;

        foreach (var field in Fields)
        {
            var value = p.ValueOf(field);
            if (!ContactFields.Same(field, value, h.ValueOf(field)))
                Violations.Add($"parity: {field} is '{value}' in Propstreet, '{h.ValueOf(field)}' in HubSpot");
            var writes = _userWrites.Where(w => w.Field == field).ToList();
            var newest = writes.MaxBy(w => w.At);
            var owner = Ownership.OwnerOf(field);
            if (ContactFields.Find(field) is { FlowsBack: false })
                newest = writes.Where(w => w.Side == Crm.Propstreet).MaxBy(w => w.At);
            if (ContactFields.Same(field, value, newest.Value))
                continue;
            // The owner's edit may win over a later one only when both edited the field since it was last in sync.
            var ownerSide = owner == FieldOwner.HubSpot ? Crm.HubSpot : Crm.Propstreet;
            var ownersNewest = writes.Where(w => w.Side == ownerSide).MaxBy(w => w.At);
            var lastInSync = _agreements.Where(a => a.Field == field && a.At < newest.At).Select(a => a.At).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
            var ownerDecided = owner != FieldOwner.Newest && ownersNewest.At > lastInSync &&
                ContactFields.Same(field, value, ownersNewest.Value) &&
                _decided.Any(d => d.Field.Property == field && d.Field.Rule == DecisionRule.Owner && d.At >= newest.At);
            if (!ownerDecided)
                Violations.Add($"{field} holds '{value}', older than the newest write '{newest.Value}' ({newest.Side} at {Minute(newest.At)})");
        }
    }

    private Side SideOf(Crm crm) => crm == Crm.Propstreet ? _propstreet : _hubspot;

    private void Count(string what) => Seen[what] = Seen.GetValueOrDefault(what) + 1;

    private static string Minute(DateTimeOffset at) => ((int)(at - Start).TotalMinutes).ToString(CultureInfo.InvariantCulture);

    /// <summary>A value only this write produces, in one of the notations the field's equivalence treats as one.</summary>
    private static string Render(string field, int minute, int notation)
    {
        var n = (minute + 100).ToString(CultureInfo.InvariantCulture);
        return field switch
        {
            "email" => notation % 2 == 0 ? $"user{n}@example.se" : $" User{n}@Example.SE",
            "phone" => notation % 2 == 0 ? $"+4670{minute + 1000000}" : $"070-{minute + 1000000}",
            "propstreet_tags" => (notation % 3) switch { 0 => $"a{n};b{n}", 1 => $"b{n};a{n};", _ => $"b{n};a{n}" },
            _ => notation % 2 == 0 ? $"{field}-{n}" : $" {field}-{n} ",
        };
    }

    /// <summary>What Propstreet holds, mapped into HubSpot properties: e-mail lower-cased, phones in E.164, tags sorted.</summary>
    private static string AsPropstreetStores(string field, string value) => field switch
    {
        "email" => value.Trim().ToLowerInvariant(),
        "phone" => Phones.Normalize(value),
        "propstreet_tags" => string.Join(';', TwoWayFields.SplitTags(value).Order(StringComparer.Ordinal)),
        _ => value,
    };

    private sealed class Side(Crm name)
    {
        public Crm Name { get; } = name;

        public Dictionary<string, (string Value, DateTimeOffset At)> Fields { get; } = [];

        public bool Deleted { get; set; }

        /// <summary>The instant of the last deletion or revival.</summary>
        public DateTimeOffset RecordAt { get; set; } = DateTimeOffset.MinValue;

        public long Version { get; set; }

        public string ValueOf(string field) => Fields.GetValueOrDefault(field).Value ?? "";

        /// <summary>The hub's write: a value the side already holds (in any notation) is left as it is.</summary>
        public void Write(string field, string value, DateTimeOffset origin)
        {
            if (!ContactFields.Same(field, ValueOf(field), value))
                Fields[field] = (value, origin);
        }

        public Observation Observe()
        {
            var updated = Deleted ? RecordAt : Fields.Values.Select(f => f.At).Append(RecordAt).Max();
            var state = new SideState(
                Fields.ToDictionary(f => f.Key, f => f.Value.Value), updated, Deleted, Fields.ToDictionary(f => f.Key, f => f.Value.At));
            return new Observation(Name, Version, state);
        }
    }
}
