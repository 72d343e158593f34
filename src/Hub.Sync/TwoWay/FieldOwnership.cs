namespace Hub.Sync.TwoWay;

/// <summary>Who settles a field both sides edited since the last sync.</summary>
public enum FieldOwner
{
    /// <summary>The later edit wins (per-field instants; a tie goes to Propstreet).</summary>
    Newest = 0,
    Propstreet = 1,
    HubSpot = 2,
}

/// <summary>
/// Per HubSpot property, who wins a simultaneous edit (both sides changed it since the last sync). Defaults:
/// Propstreet owns strategy and tags, HubSpot owns owner and lifecycle stage, the rest is newest-wins. Ownership only
/// settles simultaneous edits: a field only one side changed goes to that side whoever owns it.
/// </summary>
public sealed class FieldOwnership
{
    private readonly Dictionary<string, FieldOwner> _owners;

    private FieldOwnership(Dictionary<string, FieldOwner> owners) => _owners = owners;

    public static FieldOwnership Default { get; } = new(Defaults());

    /// <summary>Every property with an owner, defaults included.</summary>
    public IReadOnlyDictionary<string, FieldOwner> Owners => _owners;

    public FieldOwner OwnerOf(string property) => _owners.GetValueOrDefault(property, FieldOwner.Newest);

    /// <summary>
    /// The defaults with <paramref name="configured"/> (property → "propstreet" | "hubspot" | "newest", both
    /// case-insensitive) laid over them. An unknown property or owner, a Propstreet-derived property not owned by
    /// Propstreet, or a HubSpot-only property not owned by HubSpot is an <see cref="ArgumentException"/> naming the key.
    /// </summary>
    public static FieldOwnership FromConfiguration(IReadOnlyDictionary<string, string>? configured)
    {
        var owners = Defaults();
        foreach (var (key, value) in configured ?? new Dictionary<string, string>())
        {
            var property = key.Trim().ToLowerInvariant();
            var known = TwoWayFields.Tables.Select(t => t.Find(property)).FirstOrDefault(f => f is not null);
            if (known is null && !TwoWayFields.Tables.Any(t => t.HubSpotOnly.Contains(property)))
                throw new ArgumentException(
                    $"Two-way ownership '{key}': unknown HubSpot property; known: {string.Join(", ", TwoWayFields.Tables.SelectMany(t => t.All.Select(f => f.Property).Concat(t.HubSpotOnly)).Distinct())}.",
                    nameof(configured));
            var owner = value?.Trim().ToLowerInvariant() switch
            {
                "propstreet" => FieldOwner.Propstreet,
                "hubspot" => FieldOwner.HubSpot,
                "newest" => FieldOwner.Newest,
                _ => throw new ArgumentException(
                    $"Two-way ownership '{key}': unknown owner '{value}'; use propstreet, hubspot or newest.", nameof(configured)),
            };
            if (known is { FlowsBack: false } && owner != FieldOwner.Propstreet)
                throw new ArgumentException(
                    $"Two-way ownership '{key}': {property} is derived from Propstreet and never written back, so only propstreet can own it.",
                    nameof(configured));
            if (known is null && owner != FieldOwner.HubSpot)
                throw new ArgumentException(
                    $"Two-way ownership '{key}': Propstreet has no field for {property}, so only hubspot can own it.", nameof(configured));
            owners[property] = owner;
        }

        return new FieldOwnership(owners);
    }

    private static Dictionary<string, FieldOwner> Defaults()
    {
        var owners = new Dictionary<string, FieldOwner>(StringComparer.Ordinal);
        foreach (var table in TwoWayFields.Tables)
        {
            foreach (var field in table.All)
                owners[field.Property] = field.FlowsBack ? FieldOwner.Newest : FieldOwner.Propstreet;
            foreach (var property in table.HubSpotOnly)
                owners[property] = FieldOwner.HubSpot;
        }

        owners[ContactFields.Strategy] = FieldOwner.Propstreet;
        owners[ContactFields.Tags] = FieldOwner.Propstreet;
        return owners;
    }
}
