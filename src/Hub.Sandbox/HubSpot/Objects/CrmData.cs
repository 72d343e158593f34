using Hub.Sandbox.HubSpot.Associations;
using Hub.Sandbox.HubSpot.Owners;
using Hub.Sandbox.HubSpot.Schema;

namespace Hub.Sandbox.HubSpot.Objects;

/// <summary>The portal's state: one store per object type, the associations between records, and the owners.</summary>
public sealed class CrmData
{
    private readonly Dictionary<string, ObjectStore> _stores;
    private volatile OwnerList _owners = new([]);

    public CrmData(ObjectTypes types)
    {
        Types = types;
        _stores = types.All.ToDictionary(t => t.Name, t => new ObjectStore(t), StringComparer.Ordinal);
    }

    public ObjectTypes Types { get; }

    public AssociationStore Associations { get; } = new();

    public IReadOnlyList<Owner> Owners => _owners.All;

    public ObjectStore Store(ObjectType type) => _stores[type.Name];

    public bool OwnerExists(string id) => _owners.Ids.Contains(id);

    public void Clear(IReadOnlyList<Owner> owners)
    {
        foreach (var store in _stores.Values)
            store.Clear();
        Associations.Clear();
        _owners = new OwnerList(owners);
    }

    private sealed class OwnerList(IReadOnlyList<Owner> all)
    {
        public IReadOnlyList<Owner> All { get; } = all;

        public HashSet<string> Ids { get; } = all.Select(o => o.Id).ToHashSet(StringComparer.Ordinal);
    }
}
