using Hub.Sync.HubSpot;
using System.Text.Json;
using Hub.Api.Access;
using Hub.EventStore.Projections;
using Marten;

namespace Hub.Api.HubSpot;

/// <summary>
/// <c>POST /api/rebuilds</c> (operate) asks for a rebuild of a read model beside the live one; the Projections node
/// that runs the projection claims the request and writes its progress into it, which <c>GET /api/rebuilds/{id}</c>
/// shows. A request while one is open for the same read model joins it rather than queuing a second.
/// </summary>
public static class ReadModelRebuildEndpoints
{
    /// <summary>
    /// The read models Hub.Projections lets operators rebuild (its <c>AddProjectionRebuilds</c>), by the names they are
    /// asked for; Hub.Api cannot see that host's registrations, so an unknown name is refused here before anything is written.
    /// </summary>
    public static readonly IReadOnlyList<string> ReadModels = [HubSpotReadModel.RebuildName];

    public static IEndpointRouteBuilder MapReadModelRebuildEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/rebuilds", RequestAsync)
            .RequireAuthorization(ApiPolicies.Operate)
            .WithName("RequestRebuild")
            .WithTags("Rebuilds")
            .WithSummary("Rebuild a read model from the whole log beside the live one, without downtime")
            .WithDescription($"Body: {{\"readModel\": \"{string.Join("|", ReadModels)}\"}}. 202 with Location of the rebuild's "
                + "progress; while a rebuild of that read model is open, the answer is that rebuild (joined: true).")
            .Accepts<RebuildRequest>("application/json")
            .Produces<RebuildProgress>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        endpoints.MapGet("/api/rebuilds/{id}", GetAsync)
            .RequireAuthorization(ApiPolicies.Read)
            .WithName("GetRebuild")
            .WithTags("Rebuilds")
            .WithSummary("A rebuild's status, phase and progress (events folded of the total, documents built)")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return endpoints;
    }

    private static async Task<IResult> RequestAsync(HttpRequest request, IDocumentStore store, TimeProvider clock, CancellationToken cancellationToken)
    {
        // Read by hand, so a missing or malformed body is the same clear problem as an unknown name.
        RebuildRequest? body = null;
        if (request.HasJsonContentType())
        {
            try
            {
                body = await request.ReadFromJsonAsync<RebuildRequest>(cancellationToken);
            }
            catch (JsonException)
            {
            }
        }

        if (body?.ReadModel is not { Length: > 0 } readModel || !ReadModels.Contains(readModel, StringComparer.Ordinal))
        {
            return TypedResults.Problem(
                title: "Unknown read model", statusCode: StatusCodes.Status400BadRequest,
                detail: $"Send a JSON body {{\"readModel\": \"...\"}} naming one of the rebuildable read models: {string.Join(", ", ReadModels)}.");
        }

        await using var session = store.LightweightSession();
        var (rebuild, created) = await ProjectionRebuild.RequestAsync(session, readModel, clock.GetUtcNow(), cancellationToken);
        return TypedResults.Accepted($"/api/rebuilds/{rebuild.Id}", RebuildProgress.Of(rebuild, joined: !created));
    }

    private static async Task<IResult> GetAsync(string id, IDocumentStore store, CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<ProjectionRebuild>(id, cancellationToken) is { } rebuild
            ? TypedResults.Ok(RebuildProgress.Of(rebuild, joined: false))
            : TypedResults.Problem(title: "Rebuild not found", detail: $"No rebuild has the id '{id}'.", statusCode: StatusCodes.Status404NotFound);
    }
}

/// <param name="ReadModel">A rebuildable read model's name, e.g. <c>hubspot</c>.</param>
public sealed record RebuildRequest(string? ReadModel);

/// <param name="Status"><c>requested</c> (no Projections node claimed it yet), <c>running</c>, <c>succeeded</c> or <c>failed</c>.</param>
/// <param name="Phase"><c>building</c> (beside the live model), <c>catchingUp</c>, <c>swapping</c>, <c>done</c>; null before it starts.</param>
/// <param name="EventsTotal">The events to fold, as far as known (grows when the catch-up counts what arrived meanwhile).</param>
/// <param name="Joined">This request found the rebuild already open and joined it.</param>
public sealed record RebuildProgress(
    string Id, string ReadModel, string Status, string? Phase, long EventsFolded, long EventsTotal, int Documents,
    DateTimeOffset RequestedUtc, DateTimeOffset? StartedUtc, DateTimeOffset? FinishedUtc, string? Error, bool Joined)
{
    internal static RebuildProgress Of(ProjectionRebuild r, bool joined) => new(
        r.Id, r.ReadModel, Name(r.Status.ToString())!, Name(r.Phase?.ToString()), r.EventsFolded, r.EventsTotal, r.Documents,
        r.RequestedUtc, r.StartedUtc, r.FinishedUtc, r.Error, joined);

    private static string? Name(string? value) => value is null ? null : JsonNamingPolicy.CamelCase.ConvertName(value);
}
