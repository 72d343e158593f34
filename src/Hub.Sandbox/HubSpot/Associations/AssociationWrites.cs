using Hub.Sandbox.HubSpot.Objects;
using Hub.Sandbox.HubSpot.Schema;
using Hub.Sandbox.HubSpot.Webhooks;

namespace Hub.Sandbox.HubSpot.Associations;

/// <summary>
/// Every association write, through the API or the control surface: the store changes, then each type added or
/// removed fires <c>*.associationChange</c> events for both ends (as HubSpot does), from the given change source.
/// </summary>
public sealed class AssociationWrites(CrmData data, WebhookEvents webhooks, TimeProvider clock)
{
    public void Add(ObjectType from, long fromId, ObjectType to, long toId, AssociationType type, ChangeSource source) =>
        Fire(from, to, data.Associations.Add(from.Name, fromId, to.Name, toId, type), source);

    public void RemoveAll(ObjectType from, long fromId, ObjectType to, long toId, ChangeSource source) =>
        Fire(from, to, data.Associations.RemoveAll(from.Name, fromId, to.Name, toId), source);

    public void Remove(ObjectType from, long fromId, ObjectType to, long toId, AssociationType type, ChangeSource source) =>
        Fire(from, to, data.Associations.Remove(from.Name, fromId, to.Name, toId, type), source);

    /// <summary>
    /// A user's edit of a pair in the CRM: associated with exactly the unlabeled type and <paramref name="labels"/>
    /// (the pair's user-defined labels), the labels it had and no longer has removed. Unknown labels change nothing.
    /// </summary>
    public string? SetLabels(ObjectType from, long fromId, ObjectType to, long toId, IReadOnlyList<string> labels, ChangeSource source)
    {
        var wanted = new List<AssociationType>();
        foreach (var label in labels.Distinct(StringComparer.Ordinal))
        {
            if (AssociationTypes.Between(from.Name, to.Name).FirstOrDefault(t => t.UserDefined && t.Label == label) is not { } type)
                return $"There is no '{label}' label between {from.Name} and {to.Name}.";
            wanted.Add(type);
        }

        if (AssociationTypes.Default(from.Name, to.Name) is not { } unlabeled)
            return $"{from.Name} and {to.Name} cannot be associated.";
        var held = data.Associations.From(from.Name, fromId, to.Name).FirstOrDefault(e => e.ToId == toId).TypeIds ?? [];
        var changes = new List<AssociationChange>();
        foreach (var typeId in held.Where(t => AssociationTypes.Get(from.Name, to.Name, t).UserDefined && wanted.All(w => w.TypeId != t)))
            changes.AddRange(data.Associations.Remove(from.Name, fromId, to.Name, toId, AssociationTypes.Get(from.Name, to.Name, typeId)));
        foreach (var type in wanted.Prepend(unlabeled))
            changes.AddRange(data.Associations.Add(from.Name, fromId, to.Name, toId, type));
        Fire(from, to, changes, source);
        return null;
    }

    private void Fire(ObjectType from, ObjectType to, IReadOnlyList<AssociationChange> changes, ChangeSource source)
    {
        if (changes.Count > 0)
            webhooks.AssociationsChanged(from, to, changes, source, clock.GetUtcNow());
    }
}
