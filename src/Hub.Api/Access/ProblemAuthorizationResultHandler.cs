using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Hub.Api.Access;

/// <summary>
/// 401 and 403 as RFC 9457 problem details. The schemes still answer the challenge first, so a 401 carries their
/// <c>WWW-Authenticate</c> header; the body then says what was missing, never what a token contained.
/// </summary>
internal sealed class ProblemAuthorizationResultHandler(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _schemes = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        await _schemes.HandleAsync(next, context, policy, authorizeResult);
        if (context.Response.HasStarted || !(authorizeResult.Challenged || authorizeResult.Forbidden))
            return;

        var roles = policy.Requirements.OfType<RolesAuthorizationRequirement>().SelectMany(r => r.AllowedRoles).Distinct().ToList();
        var problem = authorizeResult.Challenged
            ? (Title: "Authentication required",
               Detail: context.Request.Headers.Authorization.Count == 0
                   ? "Send a bearer token: Authorization: Bearer <JWT or operator token>."
                   : "The bearer token was rejected: it is unknown, expired, or not meant for this API.")
            : (Title: "Forbidden",
               Detail: $"The caller's role does not allow this; it needs one of the roles: {string.Join(", ", roles)}.");
        await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = context.Response.StatusCode, Title = problem.Title, Detail = problem.Detail },
        });
    }
}
