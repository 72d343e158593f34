using System.Text.Json.Serialization;
using Hub.Sandbox.Propstreet.Storage;

namespace Hub.Sandbox.Propstreet.Companies;

/// <summary>A company in the network. The docs give no schema; this mirrors the contact's conventions.</summary>
public sealed record Company : IStoredRecord
{
    [JsonNumberHandling(JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowReadingFromString)]
    public required long Id { get; init; }

    public string? Uri => $"https://app.propstreet.com/network/companies/{Id}";

    public IReadOnlyList<ExternalRef> ExternalRefs { get; init; } = [];

    public required string Name { get; init; }

    public string? OrganizationNumber { get; init; }

    public string? Website { get; init; }

    public string? Email { get; init; }

    public string? Phone { get; init; }

    public string? City { get; init; }

    public string? Country { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = [];

    public string? Strategy { get; init; }

    public required DateTime CreatedUtc { get; init; }

    public required DateTime UpdatedUtc { get; init; }

    public DateTime? DeletedUtc { get; init; }

    public string Etag => ETags.For(Version);

    public string? ChangeType { get; init; }

    public string? ChangeOrigin { get; init; }

    [JsonIgnore]
    public long Version { get; init; }
}
