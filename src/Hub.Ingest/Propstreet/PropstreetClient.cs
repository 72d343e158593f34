using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Hub.Contracts.Observations;
using Hub.Ingest.Budget;
using Hub.Ingest.Connections;
using Hub.Ingest.Observations;
using Hub.Ingest.Polling;

namespace Hub.Ingest.Propstreet;

/// <summary>
/// Propstreet's list endpoints (<c>/api/v1/…</c>) and single-record reads, through the shared budget and the
/// standard resilience pipeline. Lists take <c>updated_since</c> (inclusive), always <c>include_deleted=true</c>,
/// and are followed by <c>page.nextCursor</c> until <c>page.hasMore</c> is false.
/// </summary>
public sealed class PropstreetClient(HttpClient http)
{
    /// <summary>
    /// Reads one list page. A 404 of a per-project list (<paramref name="idPrefix"/> or a project's path: the project
    /// is gone) is an empty, final page; of a top-level list it is an error (a wrong base URL must not look like an
    /// empty account).
    /// </summary>
    /// <param name="path">Relative to the base URL, e.g. <c>api/v1/network/contacts</c> or <c>api/v1/projects/1003/prospects</c>.</param>
    /// <param name="idPrefix">Prepended to each record's id (<c>1003:</c> for prospects, which are per project).</param>
    public async Task<SourcePage> ListAsync(
        SourceConnection connection, string path, DateTimeOffset? updatedSince, string? cursor, string idPrefix, CancellationToken cancellationToken)
    {
        var pageSize = connection.PageSize == 0 ? 500 : connection.PageSize;
        var query = $"page_size={pageSize}&include_deleted=true";
        if (updatedSince is { } since)
            query += $"&updated_since={Uri.EscapeDataString(SourceTimestamps.Format(since))}";
        if (cursor is not null)
            query += $"&cursor={Uri.EscapeDataString(cursor)}";

        using var request = Request(connection, $"{path}?{query}");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound && path.StartsWith("api/v1/projects/", StringComparison.Ordinal))
            return new SourcePage([], null, null);
        EnsureSuccess(response, path);

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
        var root = document.RootElement.Clone();
        var records = new List<ObservedRecord>();
        DateTimeOffset? newest = null;
        foreach (var record in root.GetProperty("data").EnumerateArray())
        {
            var updated = SourceTimestamps.Read(record, "updatedUtc");
            newest = SourceTimestamps.Max(newest, updated);
            records.Add(new ObservedRecord(
                idPrefix + IdOf(record),
                updated,
                SourceTimestamps.Read(record, "deletedUtc"),
                record.TryGetProperty("etag", out var etag) && etag.ValueKind == JsonValueKind.String ? etag.GetString() : null,
                record));
        }

        var page = root.GetProperty("page");
        var hasMore = page.TryGetProperty("hasMore", out var more) && more.ValueKind == JsonValueKind.True;
        var next = page.TryGetProperty("nextCursor", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
        if (hasMore && next is null)
            throw new InvalidDataException($"Propstreet {path}: page.hasMore is true but page.nextCursor is missing.");
        return new SourcePage(records, newest, hasMore ? next : null);
    }

    /// <summary>
    /// One record (e.g. <c>api/v1/network/contacts/123</c>) as JSON, or null when it does not exist — for webhook
    /// deliveries that carry only ids. Taken from the same budget as polling.
    /// </summary>
    public async Task<JsonElement?> GetAsync(SourceConnection connection, string path, CancellationToken cancellationToken)
    {
        using var request = Request(connection, path.Contains('?', StringComparison.Ordinal) ? path : path + "?include_deleted=true");
        using var response = await http.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return null;
        EnsureSuccess(response, path);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
        return document.RootElement.Clone();
    }

    private static HttpRequestMessage Request(SourceConnection connection, string relative)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(connection.BaseUrl!, relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", connection.Token);
        request.Options.Set(BudgetHandler.ConnectionOption, connection);
        return request;
    }

    // The status only: a source's error body may echo request data, which does not belong in our logs.
    private static void EnsureSuccess(HttpResponseMessage response, string path)
    {
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"Propstreet {path} answered {(int)response.StatusCode}.", null, response.StatusCode);
    }

    // Ids are JSON strings in the API's examples, numbers in the sync guide's; accept both.
    internal static string IdOf(JsonElement record) =>
        record.GetProperty("id") is { ValueKind: JsonValueKind.Number } number ? number.GetRawText() : record.GetProperty("id").GetString()!;
}
