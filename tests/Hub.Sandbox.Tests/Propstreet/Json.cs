using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Hub.Sandbox.Tests.Propstreet;

/// <summary>JSON helpers for the Propstreet tests: reading bodies, building requests, walking cursor pages.</summary>
public static class Json
{
    public static async Task<JsonObject> ReadObjectAsync(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonNode>())!.AsObject();

    public static string Str(this JsonNode node, string name) => node[name]!.GetValue<string>();

    public static JsonContent Body(object value) => JsonContent.Create(value);

    public static StringContent Raw(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    /// <summary>Follows nextCursor until hasMore is false, with an optional action between page requests.</summary>
    public static async Task<List<JsonObject>> WalkAsync(HttpClient client, string firstUrl, Func<int, Task>? betweenPages = null)
    {
        var all = new List<JsonObject>();
        var url = firstUrl;
        for (var page = 0; ; page++)
        {
            var response = await client.GetAsync(url);
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            var body = await response.ReadObjectAsync();
            all.AddRange(body["data"]!.AsArray().Select(n => n!.AsObject()));
            var info = body["page"]!;
            if (!info["hasMore"]!.GetValue<bool>())
            {
                Assert.Null(info["nextCursor"]);
                return all;
            }

            if (betweenPages is not null)
                await betweenPages(page);
            var separator = firstUrl.Contains('?', StringComparison.Ordinal) ? "&" : "?";
            url = $"{firstUrl}{separator}cursor={Uri.EscapeDataString(info["nextCursor"]!.GetValue<string>())}";
        }
    }
}
