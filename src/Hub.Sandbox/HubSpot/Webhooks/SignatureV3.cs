using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Hub.Sandbox.HubSpot.Webhooks;

/// <summary>
/// HubSpot's request signature v3: base64 HMAC-SHA256, keyed with the app secret, over the UTF-8 concatenation of
/// method, full request URI, raw body and the <c>X-HubSpot-Request-Timestamp</c> value (epoch milliseconds).
/// </summary>
public static class SignatureV3
{
    public static string Sign(string appSecret, string method, Uri uri, ReadOnlySpan<byte> body, long timestampMs)
    {
        var prefix = Encoding.UTF8.GetBytes(method + uri.AbsoluteUri);
        var suffix = Encoding.UTF8.GetBytes(timestampMs.ToString(CultureInfo.InvariantCulture));
        var content = new byte[prefix.Length + body.Length + suffix.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        suffix.CopyTo(content, prefix.Length + body.Length);
        return Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(appSecret), content));
    }
}
