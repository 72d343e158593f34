using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Hub.Sandbox.Tests.Hosting;

namespace Hub.Sandbox.Tests.PropertyFinder;

public sealed class TokenEndpointTests
{
    private static readonly Uri Leads = new("/v1/leads", UriKind.Relative);
    private static readonly Uri Token = new("/v1/auth/token", UriKind.Relative);

    [Fact]
    public async Task Client_credentials_token_opens_the_leads_endpoint()
    {
        await using var sandbox = new SandboxFactory();
        var client = sandbox.CreateClient();
        using var form = Form(("grant_type", "client_credentials"), ("client_id", "hub"), ("client_secret", "s3cret"));

        using var tokenResponse = await client.PostAsync(Token, form);
        Assert.Equal(HttpStatusCode.OK, tokenResponse.StatusCode);
        using var body = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync());
        Assert.Equal("Bearer", body.RootElement.GetProperty("token_type").GetString());
        Assert.Equal(3600, body.RootElement.GetProperty("expires_in").GetInt32());
        Assert.Equal("no-store", tokenResponse.Headers.CacheControl?.ToString());

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body.RootElement.GetProperty("access_token").GetString());
        using var leads = await client.GetAsync(Leads);
        Assert.Equal(HttpStatusCode.OK, leads.StatusCode);
    }

    [Fact]
    public async Task Token_endpoint_accepts_http_basic_client_authentication()
    {
        await using var sandbox = new SandboxFactory(new Dictionary<string, string?>
        {
            ["Sandbox:PropertyFinder:Clients:0:ClientId"] = "hub",
            ["Sandbox:PropertyFinder:Clients:0:ClientSecret"] = "s3cret",
        });
        var client = sandbox.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, Token) { Content = Form(("grant_type", "client_credentials")) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("hub:s3cret")));

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Unknown_client_is_refused_with_invalid_client_when_clients_are_configured()
    {
        await using var sandbox = new SandboxFactory(new Dictionary<string, string?>
        {
            ["Sandbox:PropertyFinder:Clients:0:ClientId"] = "hub",
            ["Sandbox:PropertyFinder:Clients:0:ClientSecret"] = "s3cret",
        });
        var client = sandbox.CreateClient();
        using var form = Form(("grant_type", "client_credentials"), ("client_id", "hub"), ("client_secret", "wrong"));

        using var response = await client.PostAsync(Token, form);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("invalid_client", body.RootElement.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("authorization_code", "unsupported_grant_type")]
    [InlineData("", "invalid_request")]
    public async Task Token_request_without_the_client_credentials_grant_is_400(string grantType, string error)
    {
        await using var sandbox = new SandboxFactory();
        using var form = Form(("grant_type", grantType), ("client_id", "hub"), ("client_secret", "s3cret"));

        using var response = await sandbox.CreateClient().PostAsync(Token, form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(error, body.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Leads_without_a_token_are_401_problem_with_a_bearer_challenge()
    {
        await using var sandbox = new SandboxFactory();

        using var response = await sandbox.CreateClient().GetAsync(Leads);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Fact]
    public async Task Leads_with_an_unknown_token_are_401()
    {
        await using var sandbox = new SandboxFactory();
        var client = sandbox.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "made-up");

        using var response = await client.GetAsync(Leads);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Leads_with_an_expired_token_are_401()
    {
        await using var sandbox = new SandboxFactory();
        var client = await sandbox.CreatePropertyFinderClientAsync();

        // Two hours of clock skew pass the one-hour token lifetime without waiting.
        await SandboxFactory.SetFaultsAsync(client, new { clockSkew = "02:00:00" });
        using var response = await client.GetAsync(Leads);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("expired", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    private static FormUrlEncodedContent Form(params (string Key, string Value)[] fields) =>
        new(fields.Select(f => KeyValuePair.Create(f.Key, f.Value)));
}
