using System.Text;

namespace Hub.Sandbox.PropertyFinder;

/// <summary>
/// <c>POST /v1/auth/token</c>: OAuth 2.0 client credentials (RFC 6749 §4.4). Client authentication by form fields
/// or HTTP Basic. The path is our choice — the docs name none (docs/adr/0007-propertyfinder-token-endpoint.md).
/// </summary>
public static class TokenEndpoints
{
    public const string Path = "/v1/auth/token";

    public static IEndpointRouteBuilder MapPropertyFinderTokenEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, async (HttpContext context, AccessTokens tokens) =>
        {
            // RFC 6749 §5.1: token responses must not be cached, success or error.
            context.Response.Headers.CacheControl = "no-store";
            context.Response.Headers.Pragma = "no-cache";
            if (!context.Request.HasFormContentType)
            {
                return OAuthError("invalid_request", "The body must be application/x-www-form-urlencoded.");
            }

            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            var grantType = form["grant_type"].ToString();
            if (grantType.Length == 0)
            {
                return OAuthError("invalid_request", "grant_type is required.");
            }

            if (grantType != "client_credentials")
            {
                return OAuthError("unsupported_grant_type", "Only client_credentials is supported.");
            }

            var viaBasic = TryReadBasic(context.Request, out var clientId, out var clientSecret);
            if (!viaBasic)
            {
                clientId = form["client_id"].ToString();
                clientSecret = form["client_secret"].ToString();
            }

            if (!tokens.IsValidClient(clientId, clientSecret))
            {
                // §5.2: invalid_client is a 401, with a challenge for the scheme the client can use.
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"propertyfinder\"";
                return OAuthError("invalid_client", "Client authentication failed.", StatusCodes.Status401Unauthorized);
            }

            return Results.Json(new TokenResponse(tokens.Issue(), "Bearer", (int)tokens.Lifetime.TotalSeconds));
        }).DisableAntiforgery();

        return app;
    }

    private static IResult OAuthError(string error, string description, int status = StatusCodes.Status400BadRequest) =>
        Results.Json(new OAuthErrorResponse(error, description), statusCode: status);

    private static bool TryReadBasic(HttpRequest request, out string clientId, out string clientSecret)
    {
        clientId = clientSecret = "";
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                return true;
            }

            // §2.3.1: both parts are form-urlencoded before base64.
            clientId = Uri.UnescapeDataString(decoded[..colon].Replace('+', ' '));
            clientSecret = Uri.UnescapeDataString(decoded[(colon + 1)..].Replace('+', ' '));
            return true;
        }
        catch (FormatException)
        {
            return true;
        }
    }
}

public sealed record TokenResponse(
    [property: System.Text.Json.Serialization.JsonPropertyName("access_token")] string AccessToken,
    [property: System.Text.Json.Serialization.JsonPropertyName("token_type")] string TokenType,
    [property: System.Text.Json.Serialization.JsonPropertyName("expires_in")] int ExpiresIn);

public sealed record OAuthErrorResponse(
    [property: System.Text.Json.Serialization.JsonPropertyName("error")] string Error,
    [property: System.Text.Json.Serialization.JsonPropertyName("error_description")] string ErrorDescription);
