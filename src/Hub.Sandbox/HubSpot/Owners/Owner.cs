namespace Hub.Sandbox.HubSpot.Owners;

/// <summary>An owner as <c>GET /crm/v3/owners</c> returns it; its <see cref="Id"/> is what <c>hubspot_owner_id</c> holds.</summary>
public sealed record Owner(
    string Id,
    string Email,
    string Type,
    string FirstName,
    string LastName,
    long UserId,
    long UserIdIncludingInactive,
    string CreatedAt,
    string UpdatedAt,
    bool Archived);
