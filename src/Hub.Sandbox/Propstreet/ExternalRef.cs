using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hub.Sandbox.Propstreet;

/// <summary>A link to a record in another system. Namespaces are compared case-insensitively and stored lower-case.</summary>
public sealed record ExternalRef(string Namespace, string Id)
{
    public bool SameAs(string ns, string id) =>
        string.Equals(Namespace, ns, StringComparison.OrdinalIgnoreCase) && string.Equals(Id, id, StringComparison.Ordinal);

    public bool SameAs(ExternalRef other) => SameAs(other.Namespace, other.Id);

    /// <summary>
    /// Reads an <c>externalRefs</c> body field: an array of <c>{namespace, id}</c> strings, validated as below.
    /// Anything else (null, a string, a number) is refused rather than read as "no refs": only an explicit empty
    /// array removes them.
    /// </summary>
    public static string? FromJson(JsonNode? node, out IReadOnlyList<ExternalRef> refs)
    {
        refs = [];
        if (node is not JsonArray array)
            return "externalRefs must be an array of {\"namespace\", \"id\"} objects; send [] to remove all references.";
        var parsed = new List<ExternalRef?>(array.Count);
        foreach (var item in array)
        {
            if (item is not JsonObject o || !IsString(o["namespace"]) || !IsString(o["id"]))
                return "Each external ref must be an object with string fields namespace and id.";
            parsed.Add(new ExternalRef(o["namespace"]!.GetValue<string>(), o["id"]!.GetValue<string>()));
        }

        return Validate(parsed, out refs);
    }

    private static bool IsString(JsonNode? node) => node?.GetValueKind() == JsonValueKind.String;

    /// <summary>Validates and normalises a list: namespace and id required (≤100/≤255 chars), one ref per namespace.</summary>
    public static string? Validate(IReadOnlyList<ExternalRef?>? refs, out IReadOnlyList<ExternalRef> normalised)
    {
        normalised = [];
        if (refs is null)
            return null;
        var result = new List<ExternalRef>(refs.Count);
        foreach (var r in refs)
        {
            if (r is null || string.IsNullOrWhiteSpace(r.Namespace) || string.IsNullOrWhiteSpace(r.Id))
                return "Each external ref needs a namespace and an id.";
            if (r.Namespace.Length > 100 || r.Id.Length > 255)
                return "External ref namespace is limited to 100 characters and id to 255.";
            var ns = r.Namespace.Trim().ToLowerInvariant();
            if (result.Any(x => x.Namespace == ns))
                return $"Namespace '{ns}' appears more than once; each namespace can only appear once per resource.";
            result.Add(new ExternalRef(ns, r.Id.Trim()));
        }

        normalised = result;
        return null;
    }
}
