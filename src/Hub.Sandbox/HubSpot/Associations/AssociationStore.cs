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

    public void Add(string from, long fromId, string to, long toId, AssociationType type)
    {
        lock (_gate)
        {
            if (type.IsPrimary)
            {
                foreach (var (otherId, types) in Edges(from, fromId, to).Where(e => e.Key != toId && e.Value.Contains(type.TypeId)).ToList())
                {
                    types.Remove(type.TypeId);
                    Edges(to, otherId, from).GetValueOrDefault(fromId)?.Remove(type.InverseTypeId);
                }
            }

            Link(from, fromId, to, toId, type);
            if (!type.IsDefault && AssociationTypes.Default(from, to) is { } unlabeled)
                Link(from, fromId, to, toId, unlabeled);
        }
    }

    /// <summary>Removes every type between the two records (v4 batch archive).</summary>
    public void RemoveAll(string from, long fromId, string to, long toId)
    {
        lock (_gate)
        {
            Edges(from, fromId, to).Remove(toId);
            Edges(to, toId, from).Remove(fromId);
        }
    }

    /// <summary>Removes one type (v4 labels archive); removing the unlabeled type removes the association.</summary>
    public void Remove(string from, long fromId, string to, long toId, AssociationType type)
    {
        if (type.IsDefault)
        {
            RemoveAll(from, fromId, to, toId);
            return;
        }

        lock (_gate)
        {
            Edges(from, fromId, to).GetValueOrDefault(toId)?.Remove(type.TypeId);
            Edges(to, toId, from).GetValueOrDefault(fromId)?.Remove(type.InverseTypeId);
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

    private void Link(string from, long fromId, string to, long toId, AssociationType type)
    {
        Edges(from, fromId, to).GetOrAdd(toId).Add(type.TypeId);
        Edges(to, toId, from).GetOrAdd(fromId).Add(type.InverseTypeId);
    }

    private Dictionary<long, SortedSet<int>> Edges(string type, long id, string toType)
    {
        if (!_edges.TryGetValue((type, id, toType), out var edges))
            _edges[(type, id, toType)] = edges = [];
        return edges;
    }
}

internal static class EdgeExtensions
{
    public static SortedSet<int> GetOrAdd(this Dictionary<long, SortedSet<int>> edges, long id)
    {
        if (!edges.TryGetValue(id, out var types))
            edges[id] = types = [];
        return types;
    }
}
