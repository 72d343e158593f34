using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Hub.Sandbox.Propstreet.Paging;

/// <summary>
/// The opaque page cursor: base64 of <c>{"u":"2025-01-15T10:00:00.1234567Z","i":12345}</c> — the (updatedUtc, id)
/// of the last record on the page, as in the docs' example cursors. The next page starts strictly after it.
/// </summary>
public readonly record struct Cursor(DateTime UpdatedUtc, long Id)
{
    public string Encode()
    {
        var json = $"{{\"u\":\"{UpdatedUtc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture)}\",\"i\":{Id}}}";
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
    }

    public static bool TryDecode(string value, out Cursor cursor)
    {
        cursor = default;
        try
        {
            var bytes = Convert.FromBase64String(value);
            using var doc = JsonDocument.Parse(bytes);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("u", out var u) || u.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("i", out var i))
                return false;
            if (!DateTime.TryParse(u.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var updated))
                return false;
            long id;
            if (i.ValueKind == JsonValueKind.Number && i.TryGetInt64(out var n))
                id = n;
            else if (i.ValueKind != JsonValueKind.String || !long.TryParse(i.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out id))
                return false;
            cursor = new Cursor(DateTime.SpecifyKind(updated, DateTimeKind.Utc), id);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
