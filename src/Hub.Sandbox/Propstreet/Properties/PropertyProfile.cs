using System.Text.Json.Serialization;
using Hub.Sandbox.Propstreet.Storage;

namespace Hub.Sandbox.Propstreet.Properties;

/// <summary>
/// A property profile linked to a project. The docs only say it has "the same schema as /api/v1/properties/{id}"
/// without giving it; this is a plausible minimal profile.
/// </summary>
public sealed record PropertyProfile : IStoredRecord
{
    [JsonNumberHandling(JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowReadingFromString)]
    public required long Id { get; init; }

    [JsonNumberHandling(JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowReadingFromString)]
    public required long ProjectId { get; init; }

    public required string Name { get; init; }

    /// <summary>office | residential | logistics | retail | hotel | mixed_use</summary>
    public required string PropertyType { get; init; }

    public required PropertyAddress Address { get; init; }

    public int? AreaSqm { get; init; }

    public int? YearBuilt { get; init; }

    public IReadOnlyList<ExternalRef> ExternalRefs { get; init; } = [];

    public required DateTime CreatedUtc { get; init; }

    public required DateTime UpdatedUtc { get; init; }

    public DateTime? DeletedUtc { get; init; }

    public string Etag => ETags.For(Version);

    [JsonIgnore]
    public long Version { get; init; }
}

public sealed record PropertyAddress(string Street, string PostalCode, string City, string Country);
