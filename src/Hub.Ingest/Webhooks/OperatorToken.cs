using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Hub.Ingest.Webhooks;

/// <summary>
/// Guards the admin endpoints with the static <c>Ingest:OperatorToken</c> (<c>Authorization: Bearer …</c>) until the
/// hub's JWT auth arrives: none given → 401, a wrong one (or none configured) → 403, compared in constant time.
/// </summary>
public sealed class OperatorToken(IOptionsMonitor<WebhookOptions> options) : IEndpointFilter
{
    private const string Scheme = "Bearer ";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var given = context.HttpContext.Request.Headers.Authorization.ToString();
        if (!given.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || given.Length == Scheme.Length)
        {
            context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Problem("Send the operator token as 'Authorization: Bearer <Ingest:OperatorToken>'.",
                statusCode: 401, title: "Operator token required", type: "urn:hub:admin:unauthorized");
        }

        var expected = options.CurrentValue.OperatorToken;
        if (string.IsNullOrEmpty(expected)
            || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given[Scheme.Length..].Trim()), Encoding.UTF8.GetBytes(expected)))
        {
            return Results.Problem(
                string.IsNullOrEmpty(expected) ? "No operator token is configured (Ingest:OperatorToken); the admin endpoints are closed." : "The operator token is not accepted.",
                statusCode: 403, title: "Forbidden", type: "urn:hub:admin:forbidden");
        }

        return await next(context);
    }
}
