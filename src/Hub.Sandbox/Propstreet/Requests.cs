using System.Globalization;
using Hub.Sandbox.Propstreet.Paging;
using Hub.Sandbox.Propstreet.Storage;

namespace Hub.Sandbox.Propstreet;

/// <summary>Request details every Propstreet endpoint reads the same way.</summary>
public static class Requests
{
    /// <summary>A deleted record is 404 unless include_deleted=true, as on the list endpoints.</summary>
    public static T? Found<T>(T? record, HttpRequest request)
        where T : class, IStoredRecord =>
        record is null || (record.DeletedUtc is not null && !IncludeDeleted(request)) ? null : record;

    private static bool IncludeDeleted(HttpRequest request) =>
        bool.TryParse(PageQuery.Value(request.Query, "include_deleted"), out var b) && b;

    /// <summary>
    /// The <c>tags</c> list filter (repeatable): a record matches when it has any requested tag, ignoring case;
    /// no tags requested matches every record.
    /// </summary>
    public static Func<IReadOnlyList<string>, bool> TagFilter(HttpRequest request)
    {
        var wanted = request.Query["tags"].Where(t => !string.IsNullOrEmpty(t)).ToList();
        return tags => wanted.Count == 0 || tags.Any(t => wanted.Contains(t, StringComparer.OrdinalIgnoreCase));
    }

    public static string? IfMatch(HttpContext http) =>
        http.Request.Headers.IfMatch.Count > 0 ? http.Request.Headers.IfMatch.ToString() : null;

    public static bool TryFlag(HttpRequest request, string name, bool fallback, out bool value, out IResult? problem)
    {
        problem = null;
        value = fallback;
        if (PageQuery.Value(request.Query, name) is not { } text)
            return true;
        if (bool.TryParse(text, out value))
            return true;
        problem = Problems.BadRequest(string.Create(CultureInfo.InvariantCulture, $"{name} must be true or false."));
        return false;
    }
}
