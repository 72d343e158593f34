using System.Security.Cryptography;
using System.Text;

namespace Hub.Sandbox.Propstreet.Access;

/// <summary>
/// The caller behind a bearer token. <see cref="ChangeOrigin"/> is stamped on every write it makes, so an
/// integration recognises the echo of its own writes (webhooks, delta sync).
/// </summary>
public sealed record ApiClient(string Token, string ChangeOrigin)
{
    /// <summary>Writes made "in the Propstreet UI" (seed data, control endpoints): no API client's origin.</summary>
    public const string UiOrigin = "ui";

    private const string ItemKey = "propstreet.client";

    /// <summary>Opaque, stable per token, and reveals nothing of the token itself.</summary>
    public static ApiClient ForToken(string token)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        return new ApiClient(token, "api:" + Convert.ToHexStringLower(hash.AsSpan(0, 8)));
    }

    public static ApiClient Ui { get; } = new(string.Empty, UiOrigin);

    public static ApiClient From(HttpContext context) =>
        context.Items[ItemKey] as ApiClient ?? Ui;

    public void AttachTo(HttpContext context) => context.Items[ItemKey] = this;
}
