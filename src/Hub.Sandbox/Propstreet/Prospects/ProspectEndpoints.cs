using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hub.Sandbox.Propstreet.Access;
using Hub.Sandbox.Propstreet.Idempotency;
using Hub.Sandbox.Propstreet.Paging;
using Hub.Sandbox.Propstreet.Storage;

namespace Hub.Sandbox.Propstreet.Prospects;

/// <summary>/api/v1/projects/{id}/prospects: list, get, lookup by external ref, add, patch, remove.</summary>
public static class ProspectEndpoints
{
    public static void MapProspectEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/projects/{projectId:long}/prospects");

        group.MapGet("/", (long projectId, HttpRequest request, PropstreetData data) =>
        {
            if (!PageQuery.TryParse(request, PageQuery.MaxPageSize, out var page, out var problem))
                return problem!;
            // A deleted project's (deleted) prospects stay listable with include_deleted=true, as the project is.
            if (Requests.Found(data.Projects.Get(projectId), request) is null)
                return Problems.NotFound($"Project {projectId} does not exist (include_deleted=true lists a deleted project's prospects).");
            var capability = PageQuery.Value(request.Query, "capability");
            var classification = PageQuery.Value(request.Query, "classification");
            if (capability is not null and not "chat")
                return Problems.BadRequest("capability must be chat.");
            if (classification is not null && !ProspectWrites.Classifications.Contains(classification))
                return Problems.BadRequest("classification must be not_contacted, contacted, interested, not_interested or bidder.");
            var hasTag = Requests.TagFilter(request);
            return Results.Json(
                page.Read(data.Prospects, p =>
                    p.ProjectId == projectId
                    && (capability is null || p.Capabilities.Contains(capability))
                    && (classification is null || p.Classification == classification)
                    && hasTag(p.Tags), p => p),
                PropstreetJson.OmitNulls);
        });

        group.MapGet("/{id:long}", (long projectId, long id, HttpRequest request, HttpContext http, PropstreetData data) =>
            Requests.Found(data.Prospects.Get(id), request) is { } prospect && prospect.ProjectId == projectId
                ? PropstreetJson.Ok(prospect, PropstreetJson.OmitNulls, prospect.Etag, http)
                : Problems.NotFound($"Prospect {id} does not exist in project {projectId}."));

        group.MapGet("/external/{ns}/{externalId}", (long projectId, string ns, string externalId, HttpContext http, PropstreetData data) =>
            data.Prospects.FirstOrDefault(p => p.ProjectId == projectId && p.DeletedUtc is null && p.ExternalRefs.Any(r => r.SameAs(ns, externalId))) is { } prospect
                ? PropstreetJson.Ok(prospect, PropstreetJson.OmitNulls, prospect.Etag, http)
                : Problems.NotFound($"No prospect with external ref {ns}/{externalId} in project {projectId}."));

        group.MapPost("/", async (long projectId, HttpContext http, PropstreetData data, ProspectWrites writes, IdempotencyStore idempotency, CancellationToken ct) =>
        {
            var (raw, body, problem) = await PropstreetJson.ReadObjectAsync(http.Request, ct);
            if (problem is not null)
                return problem;
            if (data.Projects.Get(projectId) is not { DeletedUtc: null })
                return Problems.NotFound($"Project {projectId} does not exist.");
            var client = ApiClient.From(http);
            return idempotency.Run(http, client.Token, raw, () =>
            {
                var (_, created, failure) = writes.Add(projectId, [body], client.ChangeOrigin)[0];
                if (created is not null)
                    return StoredResponse.Of(201, created, PropstreetJson.OmitNulls, $"/api/v1/projects/{projectId}/prospects/{created.Id}", created.Etag);
                var code = failure!.Status == 409 ? "duplicate-prospect" : "validation-error";
                return Outcome.Fail(Problems.Create(failure.Status, code, failure.Status == 409 ? "Conflict" : "Validation failed", failure.Message));
            });
        });

        // Route literal "prospects:batch" — the colon is part of the documented path.
        api.MapPost("/projects/{projectId:long}/prospects:batch", async (long projectId, HttpContext http, PropstreetData data, ProspectWrites writes, IdempotencyStore idempotency, CancellationToken ct) =>
        {
            var (raw, body, problem) = await PropstreetJson.ReadObjectAsync(http.Request, ct);
            if (problem is not null)
                return problem;
            if (body!["items"] is not JsonArray items || items.Count == 0)
                return Problems.BadRequest("items must be a non-empty array.");
            if (items.Count > 100)
                return Problems.BadRequest("A batch holds at most 100 items.");
            if (data.Projects.Get(projectId) is not { DeletedUtc: null })
                return Problems.NotFound($"Project {projectId} does not exist.");
            var client = ApiClient.From(http);
            return idempotency.Run(http, client.Token, raw, () =>
            {
                var results = writes.Add(projectId, items.ToList(), client.ChangeOrigin);
                var response = new BatchResponse(
                    results.Where(r => r.Created is not null).Select(r => BatchCreated.From(r.Created!)).ToList(),
                    results.Where(r => r.Failure is not null).Select(r => r.Failure!)
                        .Select(f => new BatchFailed(f.Index, f.ContactId, f.CompanyId, f.Error, f.Message)).ToList());
                return StoredResponse.Of(200, response, PropstreetJson.OmitNulls);
            });
        });

        group.MapPatch("/{id:long}", async (long projectId, long id, HttpContext http, ProspectWrites writes, CancellationToken ct) =>
        {
            var (_, body, problem) = await PropstreetJson.ReadObjectAsync(http.Request, ct);
            if (problem is not null)
                return problem;
            if (ProspectPatch.Parse(body!, out var patch) is { } error)
                return Problems.BadRequest(error);
            var result = writes.Update(projectId, id,
                p => p with { Classification = patch.Classification ?? p.Classification, ExternalRefs = patch.ExternalRefs ?? p.ExternalRefs },
                patch.ExternalRefs, Requests.IfMatch(http), ApiClient.From(http).ChangeOrigin);
            return result.After is { } p ? PropstreetJson.Ok(p, PropstreetJson.OmitNulls, p.Etag, http) : result.Problem!;
        });

        group.MapDelete("/{id:long}", (long projectId, long id, HttpContext http, ProspectWrites writes) =>
            writes.Delete(projectId, id, Requests.IfMatch(http), ApiClient.From(http).ChangeOrigin).Problem ?? Results.NoContent());
    }

    /// <summary>A prospect PATCH: classification and/or externalRefs; absent fields stay, wrong types are refused.</summary>
    public sealed record ProspectPatch(string? Classification, IReadOnlyList<ExternalRef>? ExternalRefs)
    {
        public static string? Parse(JsonObject body, out ProspectPatch patch)
        {
            patch = new ProspectPatch(null, null);
            string? classification = null;
            if (body.TryGetPropertyValue("classification", out var c))
            {
                classification = c?.GetValueKind() == JsonValueKind.String ? c.GetValue<string>() : null;
                if (classification is null || !ProspectWrites.Classifications.Contains(classification))
                    return "classification must be not_contacted, contacted, interested, not_interested or bidder.";
            }

            IReadOnlyList<ExternalRef>? refs = null;
            if (body.TryGetPropertyValue("externalRefs", out var r))
            {
                if (ExternalRef.FromJson(r, out var parsed) is { } error)
                    return error;
                refs = parsed;
            }

            patch = new ProspectPatch(classification, refs);
            return null;
        }
    }

    public sealed record BatchResponse(IReadOnlyList<BatchCreated> Created, IReadOnlyList<BatchFailed> Failed);

    public sealed record BatchCreated(string Id, string? ContactId, string? CompanyId, IReadOnlyList<ExternalRef>? ExternalRefs)
    {
        /// <summary>Echoes the item as requested: companyId only when the prospect was added by company.</summary>
        public static BatchCreated From(Prospect p) => new(
            p.Id.ToString(CultureInfo.InvariantCulture),
            p.ContactId?.ToString(CultureInfo.InvariantCulture),
            p.ContactId is null ? p.CompanyId?.ToString(CultureInfo.InvariantCulture) : null,
            p.ExternalRefs.Count > 0 ? p.ExternalRefs : null);
    }

    public sealed record BatchFailed(int Index, string? ContactId, string? CompanyId, string Error, string Message);
}
