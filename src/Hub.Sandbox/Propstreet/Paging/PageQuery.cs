using System.Globalization;
using Hub.Sandbox.Propstreet.Storage;

namespace Hub.Sandbox.Propstreet.Paging;

/// <summary>The shared list parameters: page_size, cursor, updated_since (inclusive), include_deleted.</summary>
public sealed record PageQuery(int PageSize, Cursor? After, DateTime? UpdatedSince, bool IncludeDeleted)
{
    public const int MaxPageSize = 500;

    /// <summary>Parses the query; an invalid value yields a 400 problem. Empty values count as absent (as the docs' curl examples send them).</summary>
    public static bool TryParse(HttpRequest request, int defaultPageSize, out PageQuery query, out IResult? problem)
    {
        query = new PageQuery(defaultPageSize, null, null, false);
        problem = null;
        var q = request.Query;

        var pageSize = defaultPageSize;
        if (Value(q, "page_size") is { } sizeText
            && (!int.TryParse(sizeText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out pageSize) || pageSize is < 1 or > MaxPageSize))
        {
            problem = Problems.Create(400, "invalid-page-size", "Invalid page_size", $"page_size must be an integer from 1 to {MaxPageSize}.");
            return false;
        }

        Cursor? after = null;
        if (Value(q, "cursor") is { } cursorText)
        {
            if (!Cursor.TryDecode(cursorText, out var cursor))
            {
                problem = Problems.Create(400, "invalid-cursor", "Invalid cursor", "The cursor is malformed; pass nextCursor from a previous response unchanged.");
                return false;
            }

            after = cursor;
        }

        DateTime? since = null;
        if (Value(q, "updated_since") is { } sinceText)
        {
            if (!TryParseUtc(sinceText, out var parsed))
            {
                problem = Problems.Create(400, "invalid-date", "Invalid updated_since", "updated_since must be an ISO 8601 date-time, e.g. 2025-01-15T10:00:00Z.");
                return false;
            }

            since = parsed;
        }

        var includeDeleted = false;
        if (Value(q, "include_deleted") is { } deletedText && !bool.TryParse(deletedText, out includeDeleted))
        {
            problem = Problems.BadRequest("include_deleted must be true or false.");
            return false;
        }

        query = new PageQuery(pageSize, after, since, includeDeleted);
        return true;
    }

    public static string? Value(IQueryCollection q, string name) =>
        q.TryGetValue(name, out var values) && values.Count > 0 && !string.IsNullOrEmpty(values[0]) ? values[0] : null;

    public static bool TryParseUtc(string text, out DateTime utc)
    {
        // A date-time needs a time part; offsets are honoured, a missing offset means UTC.
        utc = default;
        if (!text.Contains('T', StringComparison.Ordinal)
            || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            return false;
        utc = parsed.UtcDateTime;
        return true;
    }

    /// <summary>Reads one page from a store and wraps it in the documented envelope.</summary>
    public ListResponse<TOut> Read<T, TOut>(RecordStore<T> store, Func<T, bool> filter, Func<T, TOut> map)
        where T : class, IStoredRecord
    {
        var (items, hasMore) = store.ReadPage(After?.UpdatedUtc, After?.Id ?? 0, UpdatedSince, PageSize,
            r => (IncludeDeleted || r.DeletedUtc is null) && filter(r));
        return Envelope(items, hasMore, map);
    }

    /// <summary>Pages an already materialised sequence (joins such as a contact's projects) with the same keyset rules.</summary>
    public ListResponse<TOut> Read<T, TOut>(IEnumerable<T> records, Func<T, TOut> map)
        where T : IStoredRecord
    {
        var ordered = records
            .Where(r => IncludeDeleted || r.DeletedUtc is null)
            .Where(r => UpdatedSince is not { } s || r.UpdatedUtc >= s)
            .Where(r => After is not { } a || (r.UpdatedUtc, r.Id).CompareTo((a.UpdatedUtc, a.Id)) > 0)
            .OrderBy(r => r.UpdatedUtc).ThenBy(r => r.Id)
            .Take(PageSize + 1)
            .ToList();
        var hasMore = ordered.Count > PageSize;
        if (hasMore)
            ordered.RemoveAt(PageSize);
        return Envelope(ordered, hasMore, map);
    }

    private static ListResponse<TOut> Envelope<T, TOut>(List<T> items, bool hasMore, Func<T, TOut> map)
        where T : IStoredRecord
    {
        // pageSize is "the actual page size returned" (the docs): the item count, less than page_size on the last page.
        var next = hasMore && items.Count > 0 ? new Cursor(items[^1].UpdatedUtc, items[^1].Id).Encode() : null;
        return new ListResponse<TOut>(items.Select(map).ToList(), new PageInfo(next, items.Count, hasMore));
    }
}

// nextCursor is always written (null on the last page), also where other nulls are omitted.
public sealed record PageInfo(
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)] string? NextCursor,
    int PageSize,
    bool HasMore);

public sealed record ListResponse<T>(IReadOnlyList<T> Data, PageInfo Page);
