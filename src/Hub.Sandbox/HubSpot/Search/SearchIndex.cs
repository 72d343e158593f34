using Hub.Sandbox.HubSpot.Objects;
using Hub.Sandbox.HubSpot.Schema;

namespace Hub.Sandbox.HubSpot.Search;

/// <summary>
/// What search sees: a copy of each type's live records that a write reaches only after
/// <c>SearchVisibilityDelayMs</c> (HubSpot's search is eventually consistent). Writes queue their new version with
/// the time it becomes visible; due entries are applied on the next write or search, so a write costs O(1).
/// Archived, merged-away and deleted records leave the copy the same way, after the delay.
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
        private readonly Queue<(DateTimeOffset Due, long Id, CrmRecord? Record)> _pending = new();

        public void Enqueue(DateTimeOffset due, long id, CrmRecord? record, DateTimeOffset now)
        {
            lock (_gate)
            {
                _pending.Enqueue((due, id, record));
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

        // Entries are queued in write order with one delay, so due times only grow: stop at the first not yet due.
        private void Drain(DateTimeOffset now)
        {
            while (_pending.TryPeek(out var next) && next.Due <= now)
            {
                _pending.Dequeue();
                if (next.Record is { } record)
                    _visible[next.Id] = record;
                else
                    _visible.Remove(next.Id);
            }
        }
    }
}
