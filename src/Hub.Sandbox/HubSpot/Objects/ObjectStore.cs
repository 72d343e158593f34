using Hub.Sandbox.HubSpot.Schema;

namespace Hub.Sandbox.HubSpot.Objects;

/// <summary>
/// One object type's records, guarded by one lock: live and archived ids in id order (list paging), an index per
/// unique property over live records (idProperty, 409s), and where merged-away ids now point. Every operation
/// is a dictionary or sorted-set step, so a batch of 100 costs O(100 log n) whatever the store holds.
/// </summary>
public sealed class ObjectStore(ObjectType type)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, CrmRecord> _records = [];
    private readonly SortedSet<long> _live = [];
    private readonly SortedSet<long> _archived = [];
    private readonly Dictionary<long, long> _mergedInto = [];
    private readonly Dictionary<string, Dictionary<string, long>> _unique =
        type.UniqueProperties.ToDictionary(p => p.Name, _ => new Dictionary<string, long>(StringComparer.Ordinal), StringComparer.Ordinal);

    private long _nextId = FirstId;

    /// <summary>Ids of every type start here, so a contact and a company can share an id, as in HubSpot.</summary>
    public const long FirstId = 1001;

    public ObjectType Type => type;

    /// <summary>Runs reads and writes atomically (uniqueness checks and the writes they guard happen under one lock).</summary>
    public T Locked<T>(Func<Writer, T> work)
    {
        lock (_gate)
            return work(new Writer(this));
    }

    public void Clear()
    {
        lock (_gate)
        {
            _records.Clear();
            _live.Clear();
            _archived.Clear();
            _mergedInto.Clear();
            foreach (var index in _unique.Values)
                index.Clear();
            _nextId = FirstId;
        }
    }

    public readonly struct Writer
    {
        private readonly ObjectStore _store;

        internal Writer(ObjectStore store) => _store = store;

        public int LiveCount => _store._live.Count;

        public int ArchivedCount => _store._archived.Count;

        public long NewId() => _store._nextId++;

        /// <summary>The live record with this id, following merges (a merged-away id reads as the record it went into).</summary>
        public CrmRecord? Live(long id)
        {
            var target = Resolve(id);
            return _store._records.TryGetValue(target, out var record) && !record.Archived ? record : null;
        }

        public CrmRecord? Archived(long id) =>
            _store._records.TryGetValue(id, out var record) && record.Archived ? record : null;

        public long Resolve(long id)
        {
            while (_store._mergedInto.TryGetValue(id, out var next))
                id = next;
            return id;
        }

        /// <summary>The live record holding this value of a unique property.</summary>
        public CrmRecord? ByUnique(string property, string value) =>
            _store._unique.TryGetValue(property, out var index) && index.TryGetValue(value, out var id) ? _store._records[id] : null;

        /// <summary>Another live record than <paramref name="self"/> already holding one of these unique values.</summary>
        public (string Property, string Value, long HolderId)? Conflict(IReadOnlyDictionary<string, string?> properties, long? self)
        {
            foreach (var (name, index) in _store._unique)
            {
                if (properties.TryGetValue(name, out var value) && value is not null && index.TryGetValue(value, out var holder) && holder != self)
                    return (name, value, holder);
            }

            return null;
        }

        /// <summary>Inserts or replaces a record, keeping the id sets and unique indexes in step.</summary>
        public CrmRecord Put(CrmRecord record)
        {
            if (_store._records.TryGetValue(record.Id, out var previous))
                Unindex(previous);
            _store._records[record.Id] = record;
            if (record.Archived)
            {
                _store._archived.Add(record.Id);
                return record;
            }

            _store._live.Add(record.Id);
            foreach (var (name, index) in _store._unique)
            {
                if (record[name] is { } value)
                    index[value] = record.Id;
            }

            return record;
        }

        /// <summary>Removes a record for good (privacy deletion, merged away); a merged id then resolves to its target.</summary>
        public void Remove(long id, long? mergedInto = null)
        {
            if (_store._records.Remove(id, out var previous))
                Unindex(previous);
            if (mergedInto is { } target)
                _store._mergedInto[id] = target;
        }

        /// <summary>Up to <paramref name="limit"/> records with id ≥ <paramref name="fromId"/>, and the id the next page starts at.</summary>
        public (List<CrmRecord> Page, long? Next) Page(long fromId, int limit, bool archived)
        {
            var ids = archived ? _store._archived : _store._live;
            var page = new List<CrmRecord>(Math.Min(limit, 100));
            if (ids.Count == 0 || fromId > ids.Max)
                return (page, null);
            foreach (var id in ids.GetViewBetween(fromId, ids.Max))
            {
                if (page.Count == limit)
                    return (page, id);
                page.Add(_store._records[id]);
            }

            return (page, null);
        }

        private void Unindex(CrmRecord previous)
        {
            _store._live.Remove(previous.Id);
            _store._archived.Remove(previous.Id);
            if (previous.Archived)
                return;
            foreach (var (name, index) in _store._unique)
            {
                if (previous[name] is { } value && index.TryGetValue(value, out var holder) && holder == previous.Id)
                    index.Remove(value);
            }
        }
    }
}
