using Hub.Sandbox.Propstreet.Access;
using Hub.Sandbox.Propstreet.Idempotency;
using Hub.Sandbox.Propstreet.Paging;
using Hub.Sandbox.Propstreet.Storage;

namespace Hub.Sandbox.Propstreet.Projects;

/// <summary>/api/v1/projects: list, get, lookup by external ref, create, patch, soft delete, linked properties.</summary>
public static class ProjectEndpoints
{
    private static readonly HashSet<string> Statuses = ["open", "closed", "deleted"];
    private static readonly HashSet<string> Classifications = ["draft", "active", "inactive"];
    private static readonly HashSet<string> TeaserStages = ["property_added", "drafting", "published", "verified", "communicated"];

    public static void MapProjectEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/projects");

        group.MapGet("/", (HttpRequest request, PropstreetData data) =>
        {
            if (!PageQuery.TryParse(request, PageQuery.MaxPageSize, out var page, out var problem))
                return problem!;
            var status = PageQuery.Value(request.Query, "status");
            var classification = PageQuery.Value(request.Query, "classification");
            var stage = PageQuery.Value(request.Query, "teaser_stage");
            if (status is not null && !Statuses.Contains(status))
                return Problems.BadRequest("status must be open, closed or deleted.");
            if (classification is not null && !Classifications.Contains(classification))
                return Problems.BadRequest("classification must be draft, active or inactive.");
            if (stage is not null && !TeaserStages.Contains(stage))
                return Problems.BadRequest("teaser_stage must be property_added, drafting, published, verified or communicated.");
            // status=deleted asks for deleted projects, so it implies include_deleted.
            if (status == "deleted")
                page = page with { IncludeDeleted = true };
            return Results.Json(
                page.Read(data.Projects, p =>
                    (status is null || p.Status == status)
                    && (classification is null || p.Classification == classification)
                    && (stage is null || p.Teaser?.Stage == stage), p => p),
                PropstreetJson.OmitNulls);
        });

        group.MapGet("/{id:long}", (long id, HttpRequest request, HttpContext http, PropstreetData data) =>
            Requests.Found(data.Projects.Get(id), request) is { } project
                ? PropstreetJson.Ok(project, PropstreetJson.OmitNulls, project.Etag, http)
                : Problems.NotFound($"Project {id} does not exist."));

        group.MapGet("/external/{ns}/{externalId}", (string ns, string externalId, HttpContext http, PropstreetData data) =>
            data.Projects.FirstOrDefault(p => p.DeletedUtc is null && p.ExternalRefs.Any(r => r.SameAs(ns, externalId))) is { } project
                ? PropstreetJson.Ok(project, PropstreetJson.OmitNulls, project.Etag, http)
                : Problems.NotFound($"No project with external ref {ns}/{externalId}."));

        group.MapPost("/", async (HttpContext http, ProjectWrites writes, IdempotencyStore idempotency, CancellationToken ct) =>
        {
            var (raw, body, problem) = await PropstreetJson.ReadObjectAsync(http.Request, ct);
            if (problem is not null)
                return problem;
            var client = ApiClient.From(http);
            return idempotency.Run(http, client.Token, raw, () =>
            {
                var (input, error) = ProjectInput.Parse(body!, creating: true);
                if (input is null)
                    return Outcome.Fail(Problems.BadRequest(error!));
                var result = writes.Create(input, client.ChangeOrigin);
                return result.After is { } p
                    ? StoredResponse.Of(201, p, PropstreetJson.OmitNulls, $"/api/v1/projects/{p.Id}", p.Etag)
                    : Outcome.Fail(result.Problem!);
            });
        });

        group.MapPatch("/{id:long}", async (long id, HttpContext http, ProjectWrites writes, CancellationToken ct) =>
        {
            var (_, input, problem) = await PropstreetJson.ReadInputAsync(http.Request, json => ProjectInput.Parse(json, creating: false), ct);
            if (input is null)
                return problem!;
            var result = writes.Update(id, input.ApplyTo, input.ExternalRefs, Requests.IfMatch(http), ApiClient.From(http).ChangeOrigin);
            return result.After is { } p ? PropstreetJson.Ok(p, PropstreetJson.OmitNulls, p.Etag, http) : result.Problem!;
        });

        group.MapDelete("/{id:long}", (long id, HttpContext http, ProjectWrites writes) =>
            writes.Delete(id, Requests.IfMatch(http), ApiClient.From(http).ChangeOrigin).Problem ?? Results.NoContent());

        // Linked property profiles; 200 with an empty data array when there are none.
        group.MapGet("/{id:long}/properties", (long id, HttpRequest request, PropstreetData data) =>
        {
            if (!PageQuery.TryParse(request, PageQuery.MaxPageSize, out var page, out var problem))
                return problem!;
            if (data.Projects.Get(id) is not { DeletedUtc: null })
                return Problems.NotFound($"Project {id} does not exist.");
            return Results.Json(page.Read(data.Properties, p => p.ProjectId == id, p => p), PropstreetJson.OmitNulls);
        });

        api.MapGet("/properties/{id:long}", (long id, HttpRequest request, HttpContext http, PropstreetData data) =>
            Requests.Found(data.Properties.Get(id), request) is { } property
                ? PropstreetJson.Ok(property, PropstreetJson.OmitNulls, property.Etag, http)
                : Problems.NotFound($"Property {id} does not exist."));
    }
}
