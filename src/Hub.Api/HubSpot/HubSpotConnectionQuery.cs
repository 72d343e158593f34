using Hub.Crm.HubSpot;

namespace Hub.Api.HubSpot;

/// <summary>
/// The <c>connection</c> query parameter of the HubSpot endpoints: a configured <c>HubSpot:Connections:{name}</c>,
/// or, left out, the only one configured. Anything else is a problem answer naming what is configured.
/// </summary>
internal static class HubSpotConnectionQuery
{
    public static (HubSpotClient? Client, IResult? Problem) Resolve(HubSpotClients clients, string? connection)
    {
        var names = clients.Names.Order(StringComparer.Ordinal).ToList();
        var configured = names.Count == 0 ? "none is configured" : $"configured: {string.Join(", ", names)}";
        if (string.IsNullOrWhiteSpace(connection))
        {
            return names.Count == 1
                ? (clients[names[0]], null)
                : (null, TypedResults.Problem(
                    title: "Connection required", statusCode: StatusCodes.Status400BadRequest,
                    detail: $"Name the HubSpot connection with ?connection= ({configured})."));
        }

        return names.Contains(connection, StringComparer.Ordinal)
            ? (clients[connection], null)
            : (null, TypedResults.Problem(
                title: "Unknown HubSpot connection", statusCode: StatusCodes.Status404NotFound,
                detail: $"There is no HubSpot connection '{connection}' ({configured}; HubSpot:Connections:{{name}})."));
    }
}
