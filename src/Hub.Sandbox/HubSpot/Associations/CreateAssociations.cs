using System.Globalization;
using System.Text.Json;
using Hub.Sandbox.HubSpot.Objects;
using Hub.Sandbox.HubSpot.Schema;

namespace Hub.Sandbox.HubSpot.Associations;

/// <summary>
/// The <c>associations</c> of a create input — <c>[{to:{id}, types:[{associationCategory, associationTypeId}]}]</c>
/// — checked before anything is written (an unknown type or a missing record fails the request with 400), then
/// added once the record exists. The type id says which object type <c>to.id</c> belongs to.
/// </summary>
public static class CreateAssociations
{
    public static (List<(ObjectType To, long ToId, AssociationType Type)>? Planned, HubSpotError? Error) Parse(CrmData data, ObjectType from, JsonElement associations)
    {
        var planned = new List<(ObjectType, long, AssociationType)>();
        if (associations.ValueKind != JsonValueKind.Array)
            return (planned, null);
        foreach (var association in associations.EnumerateArray())
        {
            var toId = CrmWrites.ParseId(HubSpotRequests.Text(HubSpotRequests.Member(association, "to"), "id"));
            var types = HubSpotRequests.Member(association, "types");
            foreach (var spec in types.ValueKind == JsonValueKind.Array ? types.EnumerateArray() : Enumerable.Empty<JsonElement>())
            {
                var typeId = int.TryParse(HubSpotRequests.Text(spec, "associationTypeId"), NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : -1;
                var match = data.Types.All.Select(to => (To: to, Type: AssociationTypes.Find(from.Name, to.Name, typeId))).FirstOrDefault(m => m.Type is not null);
                if (match.Type is null || HubSpotRequests.Text(spec, "associationCategory") != match.Type.Category)
                    return (null, HubSpotError.Validation($"Association type {typeId} does not exist from {from.Name}."));
                if (toId is not { } id || data.Store(match.To).Locked(w => w.Live(id)) is null)
                    return (null, HubSpotError.Validation($"Cannot associate: {match.To.Singular} {toId?.ToString(CultureInfo.InvariantCulture) ?? "(no id)"} does not exist."));
                planned.Add((match.To, id, match.Type));
            }
        }

        return (planned, null);
    }

    public static void Add(AssociationWrites writes, ObjectType from, long fromId, IEnumerable<(ObjectType To, long ToId, AssociationType Type)> planned, ChangeSource source)
    {
        foreach (var (to, toId, type) in planned)
            writes.Add(from, fromId, to, toId, type, source);
    }
}
