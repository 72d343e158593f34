extern alias api;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using api::Hub.Api.Access;
using api::Hub.Api.Reference;

namespace Hub.Api.Tests.Reference;

public sealed class ApiReferenceTests(ApiHost api) : IClassFixture<ApiHost>
{
    [Fact]
    public async Task The_OpenAPI_document_is_served_without_a_token_and_declares_both_ways_to_authenticate()
    {
        using var client = api.Client();

        var document = await client.GetFromJsonAsync<JsonElement>(new Uri(ApiReference.DocumentPath, UriKind.Relative));

        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("bearer", schemes.GetProperty("Bearer").GetProperty("scheme").GetString());
        Assert.Equal("JWT", schemes.GetProperty("Bearer").GetProperty("bearerFormat").GetString());
        Assert.Equal("bearer", schemes.GetProperty(OperatorTokenHandler.SchemeName).GetProperty("scheme").GetString());
        var required = document.GetProperty("security").EnumerateArray().SelectMany(r => r.EnumerateObject().Select(p => p.Name)).ToList();
        Assert.Equal(["Bearer", OperatorTokenHandler.SchemeName], required);
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/status", paths);
        Assert.Contains("/api/records/{streamKey}", paths);
        var status = document.GetProperty("paths").GetProperty("/api/status").GetProperty("get").GetProperty("responses");
        Assert.True(status.TryGetProperty("401", out _) && status.TryGetProperty("403", out _), status.ToString());
    }

    [Fact]
    public async Task The_OpenAPI_document_holds_no_configured_secret()
    {
        using var client = api.Client();

        var document = await client.GetStringAsync(new Uri(ApiReference.DocumentPath, UriKind.Relative));

        Assert.DoesNotContain(api.ReadToken, document, StringComparison.Ordinal);
        Assert.DoesNotContain(api.OperateToken, document, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(api.SigningKey), document, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_browsable_reference_is_served_without_a_token()
    {
        using var client = api.Client();

        using var response = await client.GetAsync(new Uri(ApiReference.ReferencePath, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }
}
