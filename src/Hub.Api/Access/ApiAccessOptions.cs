namespace Hub.Api.Access;

/// <summary>
/// The <c>Api</c> configuration section: who may call the API. Production validates JWTs from the organisation's
/// identity provider (<see cref="Jwt"/>); local runs use static operator tokens (<see cref="Tokens"/>). Both may be
/// configured at once; with neither, every request but the anonymous ones is refused.
/// </summary>
public sealed class ApiAccessOptions
{
    public const string Section = "Api";

    public JwtOptions? Jwt { get; set; }

    /// <summary><c>Api:Tokens:{n}:Token</c> and <c>Api:Tokens:{n}:Role</c>, from a Secret.</summary>
    public IList<OperatorTokenOptions> Tokens { get; } = [];

    /// <summary>Serve the OpenAPI document and its browsable reference anonymously (default on).</summary>
    public bool OpenApiEnabled { get; set; } = true;

    /// <summary>An audience, and keys with an issuer to trust: from the authority's metadata, or configured.</summary>
    public bool JwtConfigured => Jwt is { Audience.Length: > 0 }
        && (Jwt.Authority is { Length: > 0 } || (Jwt.SigningKeys.Count > 0 && Jwt.Issuer is { Length: > 0 }));
}

/// <summary><c>Api:Jwt</c>: validation of bearer JWTs issued by an identity provider.</summary>
public sealed class JwtOptions
{
    /// <summary>The issuer's base URL; signing keys and issuer come from its OpenID Connect metadata.</summary>
    public string? Authority { get; set; }

    /// <summary>The expected <c>iss</c>; required without <see cref="Authority"/>, else taken from its metadata.</summary>
    public string? Issuer { get; set; }

    /// <summary>The expected <c>aud</c>: this API's identifier at the identity provider.</summary>
    public string? Audience { get; set; }

    /// <summary>
    /// Signing keys used instead of (or besides) the authority's: a PEM public key (RSA or EC), or a base64-encoded
    /// symmetric key of at least 32 bytes for HMAC.
    /// </summary>
    public IList<string> SigningKeys { get; } = [];

    /// <summary>The claim whose values are the caller's roles (<c>read</c>, <c>operate</c>); space-separated values are split.</summary>
    public string RoleClaim { get; set; } = "roles";

    /// <summary>Allowed clock difference between the identity provider and this host when checking lifetimes.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Fetch the authority's metadata over HTTPS only (turn off only for a local identity provider).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;
}

/// <summary>One static operator token and the role it grants.</summary>
public sealed class OperatorTokenOptions
{
    /// <summary>At least <see cref="MinimumLength"/> characters; generate it (e.g. <c>openssl rand -hex 32</c>).</summary>
    public string? Token { get; set; }

    /// <summary><c>read</c> or <c>operate</c>.</summary>
    public string? Role { get; set; }

    public const int MinimumLength = 32;
}
