using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hub.EventStore.Types;

/// <summary>
/// Explicit, versioned event type names (<c>{name}.v{n}</c>), never CLR names, so classes can be renamed and moved
/// without breaking stored events. Older stored versions are upcast step by step to the registered one on read.
/// </summary>
public sealed class EventTypeMap
{
    private readonly Dictionary<Type, string> _namesByType = [];
    private readonly Dictionary<string, (Type Type, int Version)> _currentByName = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Name, int FromVersion), Func<JsonObject, JsonObject>> _upcasters = [];

    public JsonSerializerOptions SerializerOptions { get; } = new(JsonSerializerDefaults.Web);

    /// <summary>Registers <typeparamref name="T"/> as the current version of <paramref name="name"/>.</summary>
    public EventTypeMap Register<T>(string name, int version)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        if (_currentByName.TryGetValue(name, out var existing) && existing.Type != typeof(T))
            throw new InvalidOperationException($"Event type '{name}' is already registered for {existing.Type.Name}.");

        _currentByName[name] = (typeof(T), version);
        _namesByType[typeof(T)] = FormatName(name, version);
        return this;
    }

    /// <summary>Adds a step that turns the JSON of <paramref name="name"/> version <paramref name="fromVersion"/> into the next version.</summary>
    public EventTypeMap AddUpcaster(string name, int fromVersion, Func<JsonObject, JsonObject> upcast)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(upcast);
        _upcasters[(name, fromVersion)] = upcast;
        return this;
    }

    public static string FormatName(string name, int version) => string.Create(CultureInfo.InvariantCulture, $"{name}.v{version}");

    public string TypeNameOf(Type type) =>
        _namesByType.TryGetValue(type, out var name)
            ? name
            : throw new InvalidOperationException($"{type.Name} is not registered in the event type map.");

    internal string Serialize(object data) => JsonSerializer.Serialize(data, data.GetType(), SerializerOptions);

    /// <summary>
    /// Turns stored JSON into the current CLR type, upcasting older versions. Unknown names come back as
    /// <see cref="JsonElement"/> so readers can park them instead of failing the whole log.
    /// </summary>
    internal (string TypeName, object Data) Deserialize(string storedTypeName, byte[] utf8Json)
    {
        if (!TryParseName(storedTypeName, out var name, out var version)
            || !_currentByName.TryGetValue(name, out var current)
            || version > current.Version)
        {
            using var document = JsonDocument.Parse(utf8Json);
            return (storedTypeName, document.RootElement.Clone());
        }

        if (version == current.Version)
            return (storedTypeName, JsonSerializer.Deserialize(utf8Json, current.Type, SerializerOptions)!);

        var node = JsonNode.Parse(utf8Json)?.AsObject() ?? throw new JsonException($"Event of type {storedTypeName} has no JSON object.");
        for (var v = version; v < current.Version; v++)
        {
            if (!_upcasters.TryGetValue((name, v), out var upcast))
                throw new InvalidOperationException($"No upcaster from {FormatName(name, v)} to {FormatName(name, v + 1)}.");
            node = upcast(node);
        }

        return (FormatName(name, current.Version), node.Deserialize(current.Type, SerializerOptions)!);
    }

    private static bool TryParseName(string typeName, out string name, out int version)
    {
        var marker = typeName.LastIndexOf(".v", StringComparison.Ordinal);
        if (marker > 0 && int.TryParse(typeName.AsSpan(marker + 2), NumberStyles.None, CultureInfo.InvariantCulture, out version))
        {
            name = typeName[..marker];
            return true;
        }

        name = typeName;
        version = 0;
        return false;
    }
}
