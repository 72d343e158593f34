using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Hub.Contracts.Observations;
using Hub.Ingest.Connections;

namespace Hub.Ingest.Webhooks;

/// <summary>
/// What an authentic delivery's body says, decided by a pure function per source: records to observe, something to
/// park (authentic, but this code cannot map it — an event type it does not know, a record without an id), or a body
/// that is not a JSON webhook at all (400).
/// </summary>
public abstract record WebhookReading
{
    public sealed record Observed(string Event, string Resource, IReadOnlyList<ObservedRecord> Records) : WebhookReading;

    public sealed record Parked(string? Event, string Reason) : WebhookReading;

    public sealed record Malformed(string Detail) : WebhookReading;

    /// <summary>Reads a raw body sent by <paramref name="source"/>; every delivery is an object with a string <c>event</c>.</summary>
    public static WebhookReading Read(string source, ReadOnlyMemory<byte> body)
    {
        if (!TryParse(body, out var document, out var error))
            return new Malformed(error);

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return new Malformed("The body must be a JSON object.");
            if (!root.TryGetProperty("event", out var eventName) || eventName.ValueKind != JsonValueKind.String)
                return new Malformed("The body has no string property 'event'.");
            return source switch
            {
                SourceConnection.Propstreet => PropstreetWebhookEvents.Read(eventName.GetString()!, root),
                SourceConnection.PropertyFinder => PropertyFinderWebhookEvents.Read(eventName.GetString()!, root),
                _ => new Parked(eventName.GetString(), $"No webhook mapping for source '{source}'."),
            };
        }
    }

    /// <summary>A raw body as JSON, or why it is not JSON (every receiver's first 400).</summary>
    internal static bool TryParse(ReadOnlyMemory<byte> body, [NotNullWhen(true)] out JsonDocument? document, out string error)
    {
        try
        {
            document = JsonDocument.Parse(body);
            error = "";
            return true;
        }
        catch (JsonException e)
        {
            document = null;
            error = $"The body is not valid JSON ({e.Message}).";
            return false;
        }
    }

    /// <summary>A source id, a JSON string or number, as text; null when absent or another type.</summary>
    internal static string? Id(JsonElement record, string property) =>
        record.TryGetProperty(property, out var id) ? id.ValueKind switch
        {
            JsonValueKind.String when id.GetString() is { Length: > 0 } text => text,
            JsonValueKind.Number => id.GetRawText(),
            _ => null,
        } : null;
}
