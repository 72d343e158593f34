using Hub.Sandbox.Propstreet.Paging;
using Hub.Sandbox.Propstreet.Storage;

namespace Hub.Sandbox.Propstreet.Companies;

/// <summary>/api/v1/network/companies: list (keyset) and get. Company writes happen in the UI (control endpoints).</summary>
public static class CompanyEndpoints
{
    public static void MapCompanyEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/network/companies");

        group.MapGet("/", (HttpRequest request, PropstreetData data) =>
        {
            if (!PageQuery.TryParse(request, PageQuery.MaxPageSize, out var page, out var problem))
                return problem!;
            var hasTag = Requests.TagFilter(request);
            return Results.Json(
                page.Read(data.Companies, c => hasTag(c.Tags), c => c),
                PropstreetJson.WithNulls);
        });

        group.MapGet("/{id:long}", (long id, HttpRequest request, HttpContext http, PropstreetData data) =>
            Requests.Found(data.Companies.Get(id), request) is { } company
                ? PropstreetJson.Ok(company, PropstreetJson.WithNulls, company.Etag, http)
                : Problems.NotFound($"Company {id} does not exist."));
    }
}
