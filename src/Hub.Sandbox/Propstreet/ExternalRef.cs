namespace Hub.Sandbox.Propstreet;

/// <summary>A link to a record in another system. Namespaces are compared case-insensitively and stored lower-case.</summary>
public sealed record ExternalRef(string Namespace, string Id)
{
    public bool SameAs(string ns, string id) =>
        string.Equals(Namespace, ns, StringComparison.OrdinalIgnoreCase) && string.Equals(Id, id, StringComparison.Ordinal);

    public bool SameAs(ExternalRef other) => SameAs(other.Namespace, other.Id);

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
