using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Hub.Sandbox.Webhooks;

/// <summary>
/// Standard Webhooks signing, for both APIs: <c>v1,</c> + base64 HMAC-SHA256 over
/// <c>{webhook-id}.{webhook-timestamp}.{body}</c>. A <c>whsec_</c> secret is keyed with its base64 part; any other
/// secret (Property Finder's configured one may be plain text) with its UTF-8 bytes.
/// </summary>
public static class StandardWebhookSigner
{
    private const string SecretPrefix = "whsec_";

    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The <c>webhook-signature</c> value; a receiver recomputes it to verify the sender.</summary>
    public static string Sign(string secret, string messageId, long timestamp, ReadOnlySpan<byte> body)
    {
        var key = secret.StartsWith(SecretPrefix, StringComparison.Ordinal)
            ? Convert.FromBase64String(secret[SecretPrefix.Length..])
            : Encoding.UTF8.GetBytes(secret);
        var prefix = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{messageId}.{timestamp}."));
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
    }

    public static string Sign(string secret, string messageId, long timestamp, string body) =>
        Sign(secret, messageId, timestamp, Encoding.UTF8.GetBytes(body));
}
