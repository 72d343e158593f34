using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hub.EventStore.Types;

/// <summary>Fixed JSON shape of <see cref="EventMetadata"/> in the <c>metadata</c> column, independent of event serializer settings.</summary>
internal static class MetadataJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Serialize(EventMetadata metadata) => JsonSerializer.Serialize(metadata, Options);

    /// <summary>Hand-rolled because it runs once per event on every read; unknown properties are ignored.</summary>
    public static EventMetadata Deserialize(ReadOnlySpan<byte> utf8Json)
    {
        string? correlationId = null, causationId = null, source = null;
        var reader = new Utf8JsonReader(utf8Json);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("correlationId"u8))
                correlationId = ReadString(ref reader);
            else if (reader.ValueTextEquals("causationId"u8))
                causationId = ReadString(ref reader);
            else if (reader.ValueTextEquals("source"u8))
                source = ReadString(ref reader);
            else
                reader.Skip();
        }

        return correlationId is null && causationId is null && source is null
            ? EventMetadata.Empty
            : new EventMetadata(correlationId, causationId, source);
    }

    private static string? ReadString(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
    }
}
