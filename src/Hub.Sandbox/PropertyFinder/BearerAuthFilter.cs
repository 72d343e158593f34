namespace Hub.Sandbox.PropertyFinder;

/// <summary>
/// Bearer auth for Property Finder's API: a token from <c>POST /v1/auth/token</c> that has not expired.
/// Failures are 401 problem+json with a RFC 6750 challenge saying why.
/// </summary>
public sealed class BearerAuthFilter(AccessTokens tokens) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var header = context.HttpContext.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
        {
            return Challenge(context.HttpContext, null, "A bearer token is required.");
        }

        return tokens.Check(header[7..].Trim()) switch
        {
            TokenState.Valid => await next(context),
            TokenState.Expired => Challenge(context.HttpContext, "invalid_token", "The access token expired."),
            _ => Challenge(context.HttpContext, "invalid_token", "The access token is not valid."),
        };
    }

    private static IResult Challenge(HttpContext context, string? error, string detail)
    {
        context.Response.Headers.WWWAuthenticate = error is null
            ? "Bearer realm=\"propertyfinder\""
            : $"Bearer realm=\"propertyfinder\", error=\"{error}\", error_description=\"{detail}\"";
        return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: detail);
    }
}
