namespace Hub.Sandbox.HubSpot.Associations;

/// <summary>
/// Associations between records, held in both directions (adding deal→contact 3 also adds contact→deal 4), under
/// one lock. A labeled type brings the unlabeled one with it, and a record has at most one primary of each kind: a
/// new primary moves the label off the previous one, as in HubSpot.
/// </summary>
public sealed class AssociationStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Type, long Id, string ToType), Dictionary<long, SortedSet<int>>> _edges = [];

    /// <summary>Adds a type (and the unlabeled one it brings); returns what changed, a primary moved off another record included.</summary>
    public List<AssociationChange> Add(string from, long fromId, string to, long toId, AssociationType type)
    {
        var changes = new List<AssociationChange>();
        lock (_gate)
        {
            if (type.IsPrimary)
            {
                foreach (var (otherId, types) in Edges(from, fromId, to).Where(e => e.Key != toId && e.Value.Contains(type.TypeId)).ToList())
                {
                    types.Remove(type.TypeId);
                    Edges(to, otherId, from).GetValueOrDefault(fromId)?.Remove(type.InverseTypeId);
                    changes.Add(new AssociationChange(fromId, otherId, type, Removed: true));
                }
            }

            if (Link(from, fromId, to, toId, type))
                changes.Add(new AssociationChange(fromId, toId, type, Removed: false));
            if (!type.IsDefault && AssociationTypes.Default(from, to) is { } unlabeled && Link(from, fromId, to, toId, unlabeled))
                changes.Add(new AssociationChange(fromId, toId, unlabeled, Removed: false));
        }

        return changes;
    }

    /// <summary>Removes every type between the two records (v4 batch archive); returns the types removed.</summary>
    public List<AssociationChange> RemoveAll(string from, long fromId, string to, long toId)
    {
        lock (_gate)
        {
            Edges(to, toId, from).Remove(fromId);
            return Edges(from, fromId, to).Remove(toId, out var removed)
                ? [.. removed.Select(t => new AssociationChange(fromId, toId, AssociationTypes.Get(from, to, t), Removed: true))]
                : [];
        }
    }

    /// <summary>Removes one type (v4 labels archive); removing the unlabeled type removes the association.</summary>
    public List<AssociationChange> Remove(string from, long fromId, string to, long toId, AssociationType type)
    {
        if (type.IsDefault)
            return RemoveAll(from, fromId, to, toId);

        lock (_gate)
        {
            Edges(to, toId, from).GetValueOrDefault(fromId)?.Remove(type.InverseTypeId);
            return Edges(from, fromId, to).GetValueOrDefault(toId)?.Remove(type.TypeId) == true ? [new AssociationChange(fromId, toId, type, Removed: true)] : [];
        }
    }

    /// <summary>The records of type <paramref name="to"/> associated with one record, with their type ids, by id.</summary>
    public List<(long ToId, int[] TypeIds)> From(string from, long fromId, string to)
    {
        lock (_gate)
        {
            return _edges.TryGetValue((from, fromId, to), out var edges)
                ? edges.Where(e => e.Value.Count > 0).OrderBy(e => e.Key).Select(e => (e.Key, e.Value.ToArray())).ToList()
                : [];
        }
    }

    /// <summary>A merge: the merged record's associations move to the record it went into.</summary>
    public void Move(string type, long fromId, long intoId, IEnumerable<string> otherTypes)
    {
        lock (_gate)
        {
            foreach (var other in otherTypes)
            {
                if (!_edges.Remove((type, fromId, other), out var edges))
                    continue;
                foreach (var (otherId, typeIds) in edges)
                {
                    var back = Edges(other, otherId, type);
                    back.Remove(fromId, out var backTypes);
                    foreach (var typeId in typeIds)
                        Edges(type, intoId, other).GetOrAdd(otherId).Add(typeId);
                    foreach (var typeId in backTypes ?? [])
                        back.GetOrAdd(intoId).Add(typeId);
                }
            }
        }
    }

    public void Clear()
    {
        lock (_gate)
            _edges.Clear();
    }

    private bool Link(string from, long fromId, string to, long toId, AssociationType type)
    {
        Edges(to, toId, from).GetOrAdd(fromId).Add(type.InverseTypeId);
        return Edges(from, fromId, to).GetOrAdd(toId).Add(type.TypeId);
    }

    private Dictionary<long, SortedSet<int>> Edges(string type, long id, string toType)
    {
        if (!_edges.TryGetValue((type, id, toType), out var edges))
            _edges[(type, id, toType)] = edges = [];
        return edges;
    }
}

/// <summary>One type added to or removed from a pair, in the direction of <see cref="AssociationType.From"/>.</summary>
public sealed record AssociationChange(long FromId, long ToId, AssociationType Type, bool Removed);

internal static class EdgeExtensions
{
    public static SortedSet<int> GetOrAdd(this Dictionary<long, SortedSet<int>> edges, long id)
    {
        if (!edges.TryGetValue(id, out var types))
            edges[id] = types = [];
        return types;
    }
}
