extern alias api;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace Hub.Api.Tests;

/// <summary>One endpoint of the running host, with a request path that reaches it.</summary>
public sealed record ApiEndpoint(string Method, string Path, IReadOnlyList<string> Policies)
{
    /// <summary>What may answer without a caller: health probes (kubelet) and the API reference (ADR 0019). Nothing else.</summary>
    public bool IsAnonymousByDesign =>
        Path.StartsWith("/health/", StringComparison.Ordinal) || Path.StartsWith("/openapi/", StringComparison.Ordinal) || Path.StartsWith("/scalar", StringComparison.Ordinal);

    public bool NeedsOperate => Policies.Contains(api::Hub.Api.Access.ApiPolicies.Operate);

    /// <summary>Every endpoint the host maps, from its endpoint data sources, so an endpoint added later is covered without a test change.</summary>
    public static IReadOnlyList<ApiEndpoint> All(IServiceProvider services) =>
        [.. services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(method => new ApiEndpoint(
                method,
                PathOf(e.RoutePattern),
                [.. e.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).OfType<string>()])))];

    public HttpRequestMessage Request() => new(new HttpMethod(Method), new Uri(Path, UriKind.Relative));

    public override string ToString() => $"{Method} {Path}";

    // Parameters get "1", which passes string and numeric route constraints alike.
    private static string PathOf(RoutePattern pattern) => "/" + string.Join('/', pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
    {
        RoutePatternLiteralPart literal => literal.Content,
        RoutePatternSeparatorPart separator => separator.Content,
        RoutePatternParameterPart => "1",
        _ => "",
    }))));
}

internal static class Problems
{
    /// <summary>Asserts an RFC 9457 problem+json body whose status matches the response's.</summary>
    public static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode expected, string because = "")
    {
        Assert.True(expected == response.StatusCode, $"{because}: expected {(int)expected}, got {(int)response.StatusCode}");
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{because}: content type {response.Content.Headers.ContentType}");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        return problem;
    }
}
