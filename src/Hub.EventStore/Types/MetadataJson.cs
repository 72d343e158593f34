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

    public static EventMetadata Deserialize(string json) => JsonSerializer.Deserialize<EventMetadata>(json, Options) ?? EventMetadata.Empty;
}
