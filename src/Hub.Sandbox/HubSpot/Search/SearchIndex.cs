using Hub.Sandbox.HubSpot.Objects;
using Hub.Sandbox.HubSpot.Schema;

namespace Hub.Sandbox.HubSpot.Search;

/// <summary>
/// What search sees: a copy of each type's live records that a write reaches only after
/// <c>SearchVisibilityDelayMs</c> (HubSpot's search is eventually consistent). Writes queue their new version with
/// the time it becomes visible; due entries are applied on the next write or search. The delay in force at the write
/// counts, so lowering it at runtime lets later writes overtake earlier ones — search then shows a record while an
/// older change is still missing, as HubSpot's indexing does now and then. <see cref="CatchUp"/> makes everything
/// pending visible at once. Archived, merged-away and deleted records leave the copy the same way, after the delay.
/// </summary>
public sealed class SearchIndex(HubSpotSettings settings, TimeProvider clock)
{
    private readonly Dictionary<string, TypeIndex> _types = new(StringComparer.Ordinal);
    private readonly Lock _typesGate = new();

    public void Changed(ObjectType type, RecordChange change, DateTimeOffset at) =>
        Index(type).Enqueue(at + settings.Limits.SearchVisibilityDelay, change.Id, change.After is { Archived: false } after ? after : null, clock.GetUtcNow());

    public void Removed(ObjectType type, long id, DateTimeOffset at) =>
        Index(type).Enqueue(at + settings.Limits.SearchVisibilityDelay, id, null, clock.GetUtcNow());

    /// <summary>The records search sees now (a copy, in id order).</summary>
    public List<CrmRecord> Visible(ObjectType type) => Index(type).Visible(clock.GetUtcNow());

    /// <summary>Every write made so far becomes visible now, whatever its delay (the index caught up).</summary>
    public void CatchUp()
    {
        lock (_typesGate)
        {
            foreach (var index in _types.Values)
                index.Visible(DateTimeOffset.MaxValue);
        }
    }

    public void Clear()
    {
        lock (_typesGate)
            _types.Clear();
    }

    private TypeIndex Index(ObjectType type)
    {
        lock (_typesGate)
        {
            if (!_types.TryGetValue(type.Name, out var index))
                _types[type.Name] = index = new TypeIndex();
            return index;
        }
    }

    private sealed class TypeIndex
    {
        private readonly Lock _gate = new();
        private readonly SortedDictionary<long, CrmRecord> _visible = [];
        private readonly PriorityQueue<(long Id, CrmRecord? Record, long Sequence), (DateTimeOffset Due, long Sequence)> _pending = new();

        // The newest write applied per record: an older write that falls due later (a longer delay) changes nothing.
        private readonly Dictionary<long, long> _applied = [];
        private long _sequence;

        public void Enqueue(DateTimeOffset due, long id, CrmRecord? record, DateTimeOffset now)
        {
            lock (_gate)
            {
                var sequence = ++_sequence;
                _pending.Enqueue((id, record, sequence), (due, sequence));
                Drain(now);
            }
        }

        public List<CrmRecord> Visible(DateTimeOffset now)
        {
            lock (_gate)
            {
                Drain(now);
                return [.. _visible.Values];
            }
        }

        private void Drain(DateTimeOffset now)
        {
            while (_pending.TryPeek(out var next, out var at) && at.Due <= now)
            {
                _pending.Dequeue();
                if (_applied.TryGetValue(next.Id, out var newest) && newest > next.Sequence)
                    continue;
                _applied[next.Id] = next.Sequence;
                if (next.Record is { } record)
                    _visible[next.Id] = record;
                else
                    _visible.Remove(next.Id);
            }
        }
    }
}
