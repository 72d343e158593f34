using Hub.Api.Access;
using Hub.Crm.HubSpot;
using Hub.Sync.HubSpot;
using Marten;

namespace Hub.Api.HubSpot;

/// <summary>
/// <c>GET /api/hubspot/parity</c>: the sources against one HubSpot connection, field by field through the mapping
/// (<see cref="HubSpotParity"/>, the same comparison as <c>Hub.Projections parity</c>): records per resource on each
/// side and the mismatches, 0 when in sync. It lists every hub-managed object in HubSpot, so it spends the
/// connection's request budget (about one request per 100 records) like the push does.
/// </summary>
public static class HubSpotParityEndpoints
{
    public const int MaxMismatches = 10_000;

    public static IEndpointRouteBuilder MapHubSpotParityEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/hubspot/parity", GetParityAsync)
            .RequireAuthorization(ApiPolicies.Read)
            .WithName("GetHubSpotParity")
            .WithTags("HubSpot")
            .WithSummary("Compare the sources with HubSpot field by field: records per resource on each side, every mismatch")
            .WithDescription("connection: a HubSpot:Connections name (may be left out when only one is configured). "
                + $"mismatchCount counts them all; mismatches lists at most limit of them (default 1,000, at most {MaxMismatches:N0}).")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status502BadGateway);
        return endpoints;
    }

    private static async Task<IResult> GetParityAsync(
        HubSpotClients clients, IDocumentStore store, CancellationToken cancellationToken, string? connection = null, int limit = 1_000)
    {
        if (limit is < 0 or > MaxMismatches)
            return TypedResults.Problem(title: "Invalid limit", detail: $"limit is between 0 and {MaxMismatches}.", statusCode: StatusCodes.Status400BadRequest);
        var (client, problem) = HubSpotConnectionQuery.Resolve(clients, connection);
        if (client is null)
            return problem!;

        await using var session = store.QuerySession();
        try
        {
            var report = await HubSpotParity.CompareAsync(session, client, cancellationToken);
            return TypedResults.Ok(new HubSpotParityView(report.Connection, report.Resources, report.Mismatches.Count, [.. report.Mismatches.Take(limit)]));
        }
        catch (HubSpotException e)
        {
            // The typed error says what failed (auth, rate limit, server); it never carries the token.
            return TypedResults.Problem(
                title: "HubSpot did not answer the comparison", detail: e.Message, statusCode: StatusCodes.Status502BadGateway);
        }
    }
}

/// <param name="MismatchCount">Every mismatch found; <see cref="Mismatches"/> may list fewer (the limit).</param>
public sealed record HubSpotParityView(
    string Connection, IReadOnlyList<HubSpotResourceParity> Resources, int MismatchCount, IReadOnlyList<HubSpotMismatch> Mismatches);
