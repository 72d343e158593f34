using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.IdentityModel.Tokens;

namespace Hub.Api.Access;

/// <summary>
/// Authentication and authorization of the API (ADR 0019): a policy scheme sends JWTs to JwtBearer and anything else
/// to the operator tokens; the fallback policy makes every endpoint need the <c>read</c> role unless it says
/// otherwise; refusals are RFC 9457 problem details.
/// </summary>
public static class ApiAccessSetup
{
    /// <summary>The scheme endpoints authenticate with; it forwards to <see cref="JwtBearerDefaults.AuthenticationScheme"/> or <see cref="OperatorTokenHandler.SchemeName"/>.</summary>
    public const string Scheme = "Api";

    public static WebApplicationBuilder AddApiAccess(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Configuration.GetSection(ApiAccessOptions.Section).Get<ApiAccessOptions>() ?? new ApiAccessOptions();
        var tokens = OperatorTokens(options);
        var jwt = options.JwtConfigured ? options.Jwt! : null;
        if (jwt is null && options.Jwt is { } partial && (partial.Authority ?? partial.Issuer ?? partial.Audience) is not null)
            throw new InvalidOperationException("Api:Jwt is incomplete: it needs Api:Jwt:Audience and either Api:Jwt:Authority or Api:Jwt:Issuer with Api:Jwt:SigningKeys.");
        builder.Services.AddSingleton(options);

        var authentication = builder.Services
            .AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "JWT or operator token", scheme =>
                scheme.ForwardDefaultSelector = context => SchemeFor(context.Request, jwt is not null, tokens.Count > 0))
            .AddScheme<OperatorTokenSchemeOptions, OperatorTokenHandler>(OperatorTokenHandler.SchemeName, scheme => scheme.Tokens = tokens);
        if (jwt is not null)
            authentication.AddJwtBearer(bearer => ConfigureJwt(bearer, jwt));

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ApiPolicies.Read, policy => policy.RequireAuthenticatedUser().RequireRole(ApiRoles.Read, ApiRoles.Operate))
            .AddPolicy(ApiPolicies.Operate, policy => policy.RequireAuthenticatedUser().RequireRole(ApiRoles.Operate))
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireRole(ApiRoles.Read, ApiRoles.Operate).Build());
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
        return builder;
    }

    /// <summary>Authentication and authorization in the pipeline, after the service defaults' exception handler and request log.</summary>
    public static WebApplication UseApiAccess(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.Services.GetRequiredService<ApiAccessOptions>();
        if (!options.JwtConfigured && options.Tokens.Count == 0)
            app.Logger.LogWarning("Neither Api:Jwt nor Api:Tokens is configured: every API request except health and the API reference is refused with 401");
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    private static string SchemeFor(HttpRequest request, bool jwt, bool tokens)
    {
        if (!jwt)
            return OperatorTokenHandler.SchemeName;
        if (!tokens)
            return JwtBearerDefaults.AuthenticationScheme;
        // A JWS in compact form has three dot-separated parts; operator tokens have none.
        return OperatorTokenHandler.BearerToken(request)?.Count(c => c == '.') == 2 ? JwtBearerDefaults.AuthenticationScheme : OperatorTokenHandler.SchemeName;
    }

    private static List<(byte[] Digest, string Role, string Name)> OperatorTokens(ApiAccessOptions options)
    {
        var tokens = new List<(byte[], string, string)>();
        for (var i = 0; i < options.Tokens.Count; i++)
        {
            var entry = options.Tokens[i];
            // Messages name the key, never the value.
            if (entry.Token is not { Length: >= OperatorTokenOptions.MinimumLength } token)
                throw new InvalidOperationException($"Api:Tokens:{i}:Token must have at least {OperatorTokenOptions.MinimumLength} characters.");
            if (entry.Role is not { } role || !ApiRoles.All.Contains(role))
                throw new InvalidOperationException($"Api:Tokens:{i}:Role must be one of: {string.Join(", ", ApiRoles.All)}.");
            tokens.Add((OperatorTokenSchemeOptions.Digest(token), role, $"operator-token-{i}"));
        }

        return tokens;
    }

    private static void ConfigureJwt(JwtBearerOptions bearer, JwtOptions jwt)
    {
        bearer.Authority = jwt.Authority;
        bearer.Audience = jwt.Audience;
        bearer.RequireHttpsMetadata = jwt.RequireHttpsMetadata;
        // Claim types as the identity provider wrote them, so Api:Jwt:RoleClaim names what is in the token.
        bearer.MapInboundClaims = false;
        bearer.TokenValidationParameters = new TokenValidationParameters
        {
            ValidateIssuer = true,
            ValidIssuer = jwt.Issuer,
            ValidateAudience = true,
            ValidAudience = jwt.Audience,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ValidateIssuerSigningKey = true,
            ClockSkew = jwt.ClockSkew,
            NameClaimType = "sub",
            RoleClaimType = jwt.RoleClaim,
        };
        if (jwt.SigningKeys.Count > 0)
            bearer.TokenValidationParameters.IssuerSigningKeys = [.. jwt.SigningKeys.Select(SigningKey)];
        bearer.Events = new JwtBearerEvents { OnTokenValidated = context => SplitRoles(context.Principal, jwt.RoleClaim) };
    }

    private static SecurityKey SigningKey(string configured, int index)
    {
        var key = configured.Trim();
        if (key.StartsWith("-----BEGIN", StringComparison.Ordinal))
        {
            try
            {
                var rsa = RSA.Create();
                rsa.ImportFromPem(key);
                return new RsaSecurityKey(rsa);
            }
            catch (ArgumentException)
            {
                var ec = ECDsa.Create();
                ec.ImportFromPem(key);
                return new ECDsaSecurityKey(ec);
            }
        }

        var bytes = new byte[key.Length];
        if (!Convert.TryFromBase64String(key, bytes, out var length) || length < 32)
            throw new InvalidOperationException($"Api:Jwt:SigningKeys:{index} is neither a PEM public key nor a base64 symmetric key of at least 32 bytes.");
        return new SymmetricSecurityKey(bytes[..length]);
    }

    // Some providers put roles in one space-separated claim (like OAuth's scope); IsInRole needs one claim per role.
    private static Task SplitRoles(ClaimsPrincipal? principal, string roleClaim)
    {
        if (principal?.Identity is not ClaimsIdentity identity)
            return Task.CompletedTask;
        foreach (var claim in identity.FindAll(roleClaim).Where(c => c.Value.Contains(' ', StringComparison.Ordinal)).ToList())
        {
            identity.RemoveClaim(claim);
            foreach (var role in claim.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                identity.AddClaim(new Claim(roleClaim, role, claim.ValueType, claim.Issuer));
        }

        return Task.CompletedTask;
    }
}
