using System.Globalization;
using Hub.Sandbox.HubSpot.Control;
using Hub.Sandbox.HubSpot.Objects;

namespace Hub.Sandbox.HubSpot.Owners;

/// <summary><c>GET /crm/v3/owners</c> (<c>email</c>, <c>limit</c> default 100 and at most 500, <c>after</c>) and <c>GET /crm/v3/owners/{ownerId}</c>.</summary>
public static class OwnerEndpoints
{
    public static void MapOwnerEndpoints(this RouteGroupBuilder crm)
    {
        crm.MapGet("/v3/owners", (HttpRequest request, CrmData data, RequestStats stats) =>
        {
            stats.Request(null, "owners");
            var (limit, from, invalid) = HubSpotRequests.Page(request, 100, 500);
            if (invalid is not null)
                return invalid.ToResult();
            var email = request.Query["email"].ToString();
            var owners = data.Owners
                .Where(o => email.Length == 0 || string.Equals(o.Email, email, StringComparison.OrdinalIgnoreCase))
                .Where(o => long.Parse(o.Id, CultureInfo.InvariantCulture) >= from)
                .ToList();
            var page = owners.Take(limit).ToList();
            return HubSpotJson.Ok(owners.Count > limit
                ? new OwnerPage(page, Paging.Next(request, long.Parse(owners[limit].Id, CultureInfo.InvariantCulture)))
                : new OwnerPage(page, null));
        });

        crm.MapGet("/v3/owners/{ownerId}", (string ownerId, HttpRequest request, CrmData data, RequestStats stats) =>
        {
            stats.Request(null, "owners");
            var byUser = request.Query["idProperty"].ToString() == "userId";
            var owner = data.Owners.FirstOrDefault(o => byUser ? o.UserId.ToString(CultureInfo.InvariantCulture) == ownerId : o.Id == ownerId);
            return owner is null ? HubSpotError.NotFound(ownerId).ToResult() : HubSpotJson.Ok(owner);
        });
    }
}

public sealed record OwnerPage(
    IReadOnlyList<Owner> Results,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] PagingView? Paging);
