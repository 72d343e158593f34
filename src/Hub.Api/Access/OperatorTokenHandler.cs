using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Hub.Api.Access;

/// <summary>The operator tokens a host accepts, kept only as SHA-256 digests.</summary>
public sealed class OperatorTokenSchemeOptions : AuthenticationSchemeOptions
{
    internal IReadOnlyList<(byte[] Digest, string Role, string Name)> Tokens { get; set; } = [];

    internal static byte[] Digest(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;token&gt;</c> against the static tokens of <c>Api:Tokens</c>. Digests
/// of equal length are compared in constant time and every configured token is compared, so neither the answer's
/// timing nor its length says how close a guess came. The caller is named after the token's index, never its value.
/// </summary>
public sealed class OperatorTokenHandler(IOptionsMonitor<OperatorTokenSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<OperatorTokenSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "OperatorToken";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (BearerToken(Request) is not { } presented)
            return Task.FromResult(AuthenticateResult.NoResult());

        var digest = OperatorTokenSchemeOptions.Digest(presented);
        (string Role, string Name)? match = null;
        foreach (var token in Options.Tokens)
        {
            if (CryptographicOperations.FixedTimeEquals(digest, token.Digest))
                match = (token.Role, token.Name);
        }

        if (match is not { } caller)
            return Task.FromResult(AuthenticateResult.Fail("The bearer token is not a configured operator token."));

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, caller.Name), new Claim(ClaimTypes.Role, caller.Role)], SchemeName, ClaimTypes.Name, ClaimTypes.Role);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        // RFC 6750 §3: a presented but rejected token is "invalid_token"; no token at all gets the bare challenge.
        var result = await HandleAuthenticateOnceSafeAsync();
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.Append(HeaderNames.WWWAuthenticate, result.Failure is null ? "Bearer" : "Bearer error=\"invalid_token\"");
    }

    /// <summary>The value of an <c>Authorization: Bearer</c> header, or null.</summary>
    internal static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string prefix = "Bearer ";
        return header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && header.Length > prefix.Length
            ? header[prefix.Length..].Trim()
            : null;
    }
}
