using System.Globalization;
using System.Text.Json;

namespace Hub.Ingest.Observations;

/// <summary>
/// Source timestamps as instants. Propstreet sends 0–7 fractional digits (<c>…00Z</c>, <c>…00.25Z</c>,
/// <c>…00.1234567Z</c>), so they are parsed, never compared as strings (<c>…00Z</c> sorts after <c>…00.25Z</c>).
/// Pollers read with <see cref="Read"/> (an unreadable instant fails the page); webhooks with <see cref="TryRead"/>
/// (an unreadable instant parks the delivery).
/// </summary>
public static class SourceTimestamps
{
    private const DateTimeStyles Styles = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;

    public static DateTimeOffset? Read(JsonElement record, string property) =>
        record.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? Parse(value.GetString()!)
            : null;

    /// <summary>Absent or null reads as null (true); false when present but not an instant.</summary>
    public static bool TryRead(JsonElement record, string property, out DateTimeOffset? instant)
    {
        instant = null;
        if (!record.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null)
            return true;
        if (value.ValueKind != JsonValueKind.String || !TryParse(value.GetString(), out var parsed))
            return false;
        instant = parsed;
        return true;
    }

    public static DateTimeOffset Parse(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, Styles);

    public static bool TryParse(string? text, out DateTimeOffset instant) => DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, Styles, out instant);

    /// <summary>The query form: UTC, 7 fractional digits, so an inclusive <c>updated_since</c> loses no tick.</summary>
    public static string Format(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
