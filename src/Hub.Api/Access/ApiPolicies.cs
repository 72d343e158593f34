namespace Hub.Api.Access;

/// <summary>
/// The authorization policies of the API. Every endpoint without one of its own gets <see cref="Read"/> (the
/// fallback policy), so a new endpoint is never anonymous by accident; endpoints that change something say
/// <c>.RequireAuthorization(ApiPolicies.Operate)</c>. Only health probes and the API reference are anonymous.
/// </summary>
public static class ApiPolicies
{
    /// <summary>Look at the hub: status, parity, records. Granted by either role.</summary>
    public const string Read = "read";

    /// <summary>Change what the hub does: rebuilds, replays. Granted by <see cref="ApiRoles.Operate"/> only.</summary>
    public const string Operate = "operate";
}

/// <summary>The role values a caller's token carries (the configured JWT role claim, or an operator token's <c>Role</c>).</summary>
public static class ApiRoles
{
    public const string Read = "read";

    /// <summary>Implies <see cref="Read"/>.</summary>
    public const string Operate = "operate";

    public static readonly IReadOnlyList<string> All = [Read, Operate];
}
