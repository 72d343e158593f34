using System.Globalization;
using System.Text.Json;

namespace Hub.Ingest.Polling;

/// <summary>
/// Source timestamps as instants. Propstreet sends 0–7 fractional digits (<c>…00Z</c>, <c>…00.25Z</c>,
/// <c>…00.1234567Z</c>), so they are parsed, never compared as strings (<c>…00Z</c> sorts after <c>…00.25Z</c>).
/// </summary>
public static class SourceTimestamps
{
    public static DateTimeOffset? Read(JsonElement record, string property) =>
        record.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? Parse(value.GetString()!)
            : null;

    public static DateTimeOffset Parse(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    /// <summary>The query form: UTC, 7 fractional digits, so an inclusive <c>updated_since</c> loses no tick.</summary>
    public static string Format(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
