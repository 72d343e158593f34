using System.Globalization;
using Hub.Sandbox.HubSpot.Control;
using Hub.Sandbox.HubSpot.Objects;

namespace Hub.Sandbox.HubSpot.Search;

/// <summary>
/// <c>POST /crm/v3/objects/{objectType}/search</c>: over what <see cref="SearchIndex"/> sees (writes show up after
/// the visibility delay; archived records never), <c>total</c> counting every match, pages of up to 200 by an
/// offset <c>after</c>, and nothing at or past the 10,000th result (400; <c>SearchResultCap</c> lowers the cap).
/// Its own rate limit and the absence of rate-limit headers are the gate's.
/// </summary>
public static class SearchEndpoints
{
    public static void MapSearchEndpoints(this RouteGroupBuilder crm)
    {
        crm.MapPost("/v3/objects/{objectType}/search", async (string objectType, HttpRequest request, CrmData data, SearchIndex index, HubSpotSettings settings, RequestStats stats, CancellationToken ct) =>
        {
            var (type, unknown) = HubSpotRequests.Type(data.Types, objectType);
            if (type is null)
                return unknown!.ToResult();
            stats.Request(type, "search");
            var (body, invalid) = await HubSpotRequests.ReadJsonAsync(request, ct);
            if (invalid is not null)
                return invalid.ToResult();
            var cap = settings.Limits.SearchResultCap;
            var (query, error) = SearchQuery.Parse(type, body, cap);
            if (query is null)
                return error!.ToResult();
            var matches = query.Sorted(index.Visible(type).Where(r => query.Matches(type, r)));
            var end = Math.Min(Math.Min(matches.Count, cap), query.After + query.Limit);
            var results = matches.Skip(query.After).Take(end - query.After).Select(r => HubSpotJson.View(type, r, query.Properties)).ToList();
            // At the cap the next page is a 400, as at HubSpot: paging still offers it.
            var next = end < matches.Count ? new SearchPaging(new SearchNext(end.ToString(CultureInfo.InvariantCulture))) : null;
            return HubSpotJson.Ok(new SearchPage(matches.Count, results, next));
        });
    }
}

public sealed record SearchPage(
    int Total,
    IReadOnlyList<ObjectView> Results,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] SearchPaging? Paging);

public sealed record SearchPaging(SearchNext Next);

public sealed record SearchNext(string After);
