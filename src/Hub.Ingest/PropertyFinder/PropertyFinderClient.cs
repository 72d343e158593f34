using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Hub.Contracts.Observations;
using Hub.Ingest.Budget;
using Hub.Ingest.Connections;
using Hub.Ingest.Observations;
using Hub.Ingest.Polling;

namespace Hub.Ingest.PropertyFinder;

/// <summary>
/// Property Finder's <c>GET /v1/leads</c> (<c>since</c> exclusive, <c>page</c>/<c>perPage</c> ≤ 50, ascending
/// <c>createdAt</c>) with an OAuth2 client-credentials token per connection, cached and refreshed before it expires.
/// A page's cursor is the next page number.
/// </summary>
public sealed class PropertyFinderClient(HttpClient http, TimeProvider clock)
{
    // Refresh this long before expiry, so a token never lapses mid-walk.
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset Expires)> _tokens = new();

    public async Task<SourcePage> ListLeadsAsync(SourceConnection connection, DateTimeOffset? since, string? cursor, CancellationToken cancellationToken)
    {
        var perPage = connection.PageSize == 0 ? 50 : connection.PageSize;
        var page = cursor is null ? 1 : int.Parse(cursor, CultureInfo.InvariantCulture);
        var query = $"v1/leads?perPage={perPage}&page={page}";
        if (since is { } s)
            query += $"&since={Uri.EscapeDataString(s.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture))}";

        using var document = await GetJsonAsync(connection, query, cancellationToken);
        var root = document.RootElement.Clone();
        var records = new List<ObservedRecord>();
        DateTimeOffset? newest = null;
        foreach (var lead in root.GetProperty("data").EnumerateArray())
        {
            newest = SourceTimestamps.Max(newest, SourceTimestamps.Read(lead, "createdAt"));
            records.Add(new ObservedRecord(lead.GetProperty("id").GetString()!, null, null, null, lead));
        }

        var pagination = root.GetProperty("pagination");
        var current = pagination.GetProperty("currentPage").GetInt32();
        var total = pagination.GetProperty("totalPages").GetInt32();
        return new SourcePage(records, newest, current < total ? (current + 1).ToString(CultureInfo.InvariantCulture) : null);
    }

    /// <summary>A GET of any Property Finder path (e.g. a lead a webhook named) with the connection's token, from its budget.</summary>
    public async Task<JsonDocument> GetJsonAsync(SourceConnection connection, string relative, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(connection.BaseUrl!, relative));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(connection, cancellationToken));
            request.Options.Set(BudgetHandler.ConnectionOption, connection);
            using var response = await http.SendAsync(request, cancellationToken);
            if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 1)
            {
                // Revoked or expired early: one fresh token, then give up.
                _tokens.TryRemove(connection.Name, out _);
                continue;
            }

            if (!response.IsSuccessStatusCode)
                throw new HttpRequestException($"Property Finder {new Uri(relative, UriKind.Relative).OriginalString.Split('?')[0]} answered {(int)response.StatusCode}.", null, response.StatusCode);
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            return await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
        }
    }

    private async Task<string> TokenAsync(SourceConnection connection, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (_tokens.TryGetValue(connection.Name, out var cached) && cached.Expires - RefreshMargin > now)
            return cached.Token;

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(connection.BaseUrl!, "v1/auth/token"))
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = connection.ClientId!,
                ["client_secret"] = connection.ClientSecret!,
            }),
        };
        request.Options.Set(BudgetHandler.ConnectionOption, connection);
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"Property Finder token request for connection {connection.Name} answered {(int)response.StatusCode}.", null, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
        var token = document.RootElement.GetProperty("access_token").GetString()!;
        var lifetime = document.RootElement.TryGetProperty("expires_in", out var e) && e.TryGetInt32(out var seconds) ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromMinutes(5);
        _tokens[connection.Name] = (token, now + lifetime);
        return token;
    }
}
