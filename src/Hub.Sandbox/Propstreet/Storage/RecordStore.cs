namespace Hub.Sandbox.Propstreet.Storage;

/// <summary>
/// One resource type's records with a sorted index on (updatedUtc, id), guarded by one lock. Every write takes
/// its updatedUtc from <see cref="Writer.NextStamp"/>: max(now, last stamp + 1 tick), so the keyset order is strict
/// and an updated record always moves behind every record a reader has already passed.
/// </summary>
public sealed class RecordStore<T>
    where T : class, IStoredRecord
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _clock;
    private Dictionary<long, T> _byId = [];
    private SortedSet<(long Ticks, long Id)> _index = [];
    private long _nextId = 1;
    private long _version;
    private DateTime _lastStamp;

    public RecordStore(TimeProvider clock) => _clock = clock;

    public int Count
    {
        get
        {
            lock (_gate)
                return _byId.Count;
        }
    }

    /// <summary>Replaces all records with generated ones (seed/reset).</summary>
    public void Load(IEnumerable<T> records, long nextId, long version)
    {
        var byId = records.ToDictionary(r => r.Id);
        var index = new SortedSet<(long, long)>(byId.Values.Select(r => (r.UpdatedUtc.Ticks, r.Id)));
        lock (_gate)
        {
            _byId = byId;
            _index = index;
            _nextId = nextId;
            _version = version;
            _lastStamp = byId.Count == 0 ? DateTime.MinValue : new DateTime(index.Max.Item1, DateTimeKind.Utc);
        }
    }

    public T? Get(long id)
    {
        lock (_gate)
            return _byId.GetValueOrDefault(id);
    }

    /// <summary>Snapshot of the records matching a predicate (unordered).</summary>
    public List<T> Where(Func<T, bool> predicate)
    {
        lock (_gate)
            return _byId.Values.Where(predicate).ToList();
    }

    public T? FirstOrDefault(Func<T, bool> predicate)
    {
        lock (_gate)
            return _byId.Values.FirstOrDefault(predicate);
    }

    /// <summary>Runs a read-check-write atomically (uniqueness checks and the insert happen under one lock).</summary>
    public TResult Write<TResult>(Func<Writer, TResult> work)
    {
        lock (_gate)
            return work(new Writer(this));
    }

    /// <summary>
    /// Up to <paramref name="pageSize"/> records after the keyset position, in (updatedUtc, id) order, plus whether
    /// more matching records follow.
    /// </summary>
    public (List<T> Items, bool HasMore) ReadPage(DateTime? after, long afterId, DateTime? updatedSince, int pageSize, Func<T, bool> filter)
    {
        var lower = (Ticks: long.MinValue, Id: long.MinValue);
        if (updatedSince is { } since)
            lower = (since.Ticks, long.MinValue);
        if (after is { } a && (a.Ticks, afterId + 1).CompareTo(lower) > 0)
            lower = (a.Ticks, afterId + 1);

        var items = new List<T>(Math.Min(pageSize, 512));
        lock (_gate)
        {
            if (_index.Count == 0 || lower.CompareTo(_index.Max) > 0)
                return (items, false);
            foreach (var key in _index.GetViewBetween(lower, _index.Max))
            {
                var record = _byId[key.Id];
                if (!filter(record))
                    continue;
                if (items.Count == pageSize)
                    return (items, true);
                items.Add(record);
            }
        }

        return (items, false);
    }

    public readonly struct Writer
    {
        private readonly RecordStore<T> _store;

        internal Writer(RecordStore<T> store) => _store = store;

        public IEnumerable<T> All => _store._byId.Values;

        public T? Get(long id) => _store._byId.GetValueOrDefault(id);

        public long NewId() => _store._nextId++;

        public long NextVersion() => ++_store._version;

        /// <summary>The updatedUtc of the write in progress: never equal to or before an earlier write's.</summary>
        public DateTime NextStamp()
        {
            var now = _store._clock.GetUtcNow().UtcDateTime;
            var next = now > _store._lastStamp ? now : _store._lastStamp.AddTicks(1);
            _store._lastStamp = next;
            return next;
        }

        /// <summary>
        /// One stamp for several records written together (a bulk import in the UI): they share updatedUtc and are
        /// ordered among themselves by id.
        /// </summary>
        public DateTime SharedStamp() => NextStamp();

        /// <summary>Inserts or replaces a record, keeping the index in step.</summary>
        public T Put(T record)
        {
            if (_store._byId.TryGetValue(record.Id, out var previous))
                _store._index.Remove((previous.UpdatedUtc.Ticks, previous.Id));
            _store._byId[record.Id] = record;
            _store._index.Add((record.UpdatedUtc.Ticks, record.Id));
            return record;
        }
    }
}
