using System.Text.Json.Serialization;
using Hub.Sandbox.Propstreet.Paging;
using Hub.Sandbox.Propstreet.Prospects;
using Hub.Sandbox.Propstreet.Storage;

namespace Hub.Sandbox.Propstreet.Projects;

/// <summary>
/// /api/v1/network/contacts/{id}/projects and /network/companies/{id}/projects: the projects an investor is a live
/// prospect on, keyset-paged on the project's (updatedUtc, id). Default page size 100, as documented here.
/// </summary>
public static class AssociatedProjectEndpoints
{
    private const int DefaultPageSize = 100;

    public static void MapAssociatedProjectEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/network/contacts/{id:long}/projects", (long id, HttpRequest request, PropstreetData data) =>
            data.Contacts.Get(id) is { DeletedUtc: null }
                ? List(request, data, p => p.ContactId == id)
                : Problems.NotFound($"Contact {id} does not exist."));

        api.MapGet("/network/companies/{id:long}/projects", (long id, HttpRequest request, PropstreetData data) =>
            data.Companies.Get(id) is { DeletedUtc: null }
                ? List(request, data, p => p.CompanyId == id)
                : Problems.NotFound($"Company {id} does not exist."));
    }

    private static IResult List(HttpRequest request, PropstreetData data, Func<Prospect, bool> isInvestor)
    {
        if (!PageQuery.TryParse(request, DefaultPageSize, out var page, out var problem))
            return problem!;
        var status = PageQuery.Value(request.Query, "status");
        var classification = PageQuery.Value(request.Query, "classification");
        if (status is not null and not ("open" or "closed"))
            return Problems.BadRequest("status must be open or closed.");
        if (classification is not null && !ProspectWrites.Classifications.Contains(classification))
            return Problems.BadRequest("classification must be not_contacted, contacted, interested, not_interested or bidder.");

        var prospects = data.Prospects.Where(p => p.DeletedUtc is null);
        var counts = prospects.GroupBy(p => p.ProjectId).ToDictionary(g => g.Key, g => g.Count());
        var rows = prospects.Where(isInvestor)
            .Where(p => classification is null || p.Classification == classification)
            .GroupBy(p => p.ProjectId)
            .Select(g => (Prospect: g.MinBy(p => p.Id)!, Project: data.Projects.Get(g.Key)))
            .Where(x => x.Project is not null && (status is null || x.Project.Status == status))
            .Select(x => new AssociatedProject(x.Project!, x.Prospect, counts.GetValueOrDefault(x.Project!.Id)));
        return Results.Json(page.Read(rows, r => r), PropstreetJson.OmitNulls);
    }

    public sealed record AssociatedProject : IStoredRecord
    {
        public AssociatedProject(Project project, Prospect prospect, int prospectCount)
        {
            Id = project.Id;
            ProspectId = prospect.Id;
            Name = project.Name;
            Status = project.Status;
            Classification = project.Classification;
            ProspectClassification = prospect.Classification;
            ProspectCount = prospectCount;
            CreatedUtc = project.CreatedUtc;
            UpdatedUtc = project.UpdatedUtc;
            DeletedUtc = project.DeletedUtc;
            Etag = project.Etag;
            Version = project.Version;
        }

        [JsonNumberHandling(JsonNumberHandling.WriteAsString)]
        public long Id { get; }

        [JsonNumberHandling(JsonNumberHandling.WriteAsString)]
        public long ProspectId { get; }

        public string Name { get; }

        public string Status { get; }

        public string Classification { get; }

        public string ProspectClassification { get; }

        public int ProspectCount { get; }

        public DateTime CreatedUtc { get; }

        public DateTime UpdatedUtc { get; }

        public DateTime? DeletedUtc { get; }

        public string Etag { get; }

        [JsonIgnore]
        public long Version { get; }
    }
}
