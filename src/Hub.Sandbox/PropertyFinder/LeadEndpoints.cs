using System.Globalization;

namespace Hub.Sandbox.PropertyFinder;

/// <summary>
/// <c>GET /v1/leads</c>: page-number pagination in ascending createdAt, then id, so a poller can walk the pages
/// without gaps. <c>since</c> is exclusive; <c>perPage</c> above 50 is capped to 50 (the docs' "Max 50"), and the
/// pagination block reports the size actually used.
/// </summary>
public static class LeadEndpoints
{
    public const int MaxPerPage = 50;
    public const int DefaultPerPage = 50;

    public static IEndpointRouteBuilder MapPropertyFinderLeadEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/leads", (string? since, string? perPage, string? page, string? channel, LeadStore store) =>
        {
            var errors = new Dictionary<string, string[]>();
            DateTime? sinceUtc = null;
            if (since is not null)
            {
                // A '+' offset arrives as a space when the client did not URL-encode it; take it as meant.
                if (DateTimeOffset.TryParse(since.Trim().Replace(' ', '+'), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                {
                    sinceUtc = parsed.UtcDateTime;
                }
                else
                {
                    errors["since"] = ["since must be an ISO-8601 date-time, e.g. 2025-01-01T10:00:00Z."];
                }
            }

            var size = ParsePositive(perPage, DefaultPerPage, "perPage", errors);
            var number = ParsePositive(page, 1, "page", errors);
            var normalized = channel is null ? null : LeadChannels.Normalize(channel);
            if (channel is not null && normalized is null)
            {
                errors["channel"] = [$"channel must be one of: {string.Join(", ", LeadChannels.All)}."];
            }

            if (errors.Count > 0)
            {
                return Results.ValidationProblem(errors, title: "Invalid query parameters");
            }

            size = Math.Min(size, MaxPerPage);
            var (items, total) = store.Query(sinceUtc, normalized, number, size);
            var totalPages = (total + size - 1) / size;
            return Results.Json(new LeadPage(items, new LeadPagination(total, items.Count, size, number, totalPages)), PropertyFinderJson.Options);
        }).AddEndpointFilter<BearerAuthFilter>();

        return app;
    }

    private static int ParsePositive(string? value, int fallback, string name, Dictionary<string, string[]> errors)
    {
        if (value is null)
        {
            return fallback;
        }

        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed >= 1)
        {
            return parsed;
        }

        errors[name] = [$"{name} must be a whole number of at least 1."];
        return fallback;
    }
}
