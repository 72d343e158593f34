using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Hub.Sandbox.Tests.Hosting;

namespace Hub.Sandbox.Tests.HubSpot;

/// <summary>
/// The shared <see cref="SandboxFactory"/> for HubSpot tests: search sees writes at once unless a test sets a delay,
/// fast webhook batching and retries; optionally on a clock the test moves. Each instance is its own sandbox.
/// </summary>
public sealed class HubSpotSandbox : SandboxFactory
{
    public const string Token = "sandbox-hubspot-token";

    private static readonly Dictionary<string, string?> HubSpotDefaults = new()
    {
        ["Sandbox:HubSpot:SearchVisibilityDelayMs"] = "0",
        ["Sandbox:HubSpot:Webhooks:BatchWindowMs"] = "20",
        ["Sandbox:HubSpot:Webhooks:RetryBaseDelay"] = "00:00:00.020",
        ["Sandbox:HubSpot:Webhooks:MaxAttempts"] = "4",
    };

    public HubSpotSandbox()
        : this(null, null)
    {
    }

    private HubSpotSandbox(IDictionary<string, string?>? settings, TimeProvider? clock)
        : base(HubSpotDefaults, settings, clock)
    {
    }

    public static HubSpotSandbox With(IDictionary<string, string?> settings, TimeProvider? clock = null) => new(settings, clock);

    /// <summary>A client with the private-app token (or another one).</summary>
    public HttpClient Api(string token = Token)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public HttpClient Control() => CreateClient();

    public static StringContent Json(object body) =>
        new(System.Text.Json.JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    public static async Task<JsonNode> ReadAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonNode>())!;

    /// <summary>Batch-upserts contacts by propstreet_id; each item is (propstreet_id, properties).</summary>
    public static async Task<HttpResponseMessage> UpsertContactsAsync(HttpClient client, params (string Id, object Properties)[] inputs) =>
        await client.PostAsync(
            new Uri("/crm/v3/objects/contacts/batch/upsert", UriKind.Relative),
            Json(new { inputs = inputs.Select(i => new { id = i.Id, idProperty = "propstreet_id", properties = i.Properties }) }));

    public static async Task<JsonNode> StatsAsync(HttpClient control) =>
        (await control.GetFromJsonAsync<JsonNode>(new Uri("/_sandbox/hubspot/stats", UriKind.Relative)))!;

    public static async Task PutAsync(HttpClient control, string path, object body)
    {
        using var response = await control.PutAsync(new Uri(path, UriKind.Relative), Json(body));
        response.EnsureSuccessStatusCode();
    }
}
