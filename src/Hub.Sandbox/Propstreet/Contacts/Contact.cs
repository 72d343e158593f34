using System.Text.Json.Serialization;
using Hub.Sandbox.Propstreet.Storage;

namespace Hub.Sandbox.Propstreet.Contacts;

/// <summary>A contact as stored and as served (field order and null handling follow the contacts reference).</summary>
public sealed record Contact : IStoredRecord
{
    [JsonNumberHandling(JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowReadingFromString)]
    public required long Id { get; init; }

    public string? Uri => $"https://app.propstreet.com/network/contacts/{Id}";

    public IReadOnlyList<ExternalRef> ExternalRefs { get; init; } = [];

    public string? FirstName { get; init; }

    public string? LastName { get; init; }

    public string? Email { get; init; }

    public string? Phone { get; init; }

    public string? LinkedInUrl { get; init; }

    public IReadOnlyList<ContactEmail> Emails { get; init; } = [];

    public IReadOnlyList<ContactPhone> Phones { get; init; } = [];

    public string? PrimaryLanguage { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = [];

    public string? Strategy { get; init; }

    [JsonNumberHandling(JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowReadingFromString)]
    public long? PrimaryCompanyId => Companies.FirstOrDefault(c => c.IsPrimary)?.Id;

    public IReadOnlyList<ContactCompany> Companies { get; init; } = [];

    public string? ProfilePictureUrl { get; init; }

    public required DateTime CreatedUtc { get; init; }

    public required DateTime UpdatedUtc { get; init; }

    public DateTime? DeletedUtc { get; init; }

    public string Etag => ETags.For(Version);

    /// <summary>created | updated | deleted | revived: what the last write did.</summary>
    public string? ChangeType { get; init; }

    public string? ChangeOrigin { get; init; }

    [JsonIgnore]
    public long Version { get; init; }
}

public sealed record ContactEmail(string Address, string? Type, bool IsPrimary);

public sealed record ContactPhone(string Number, string? Type, bool IsPrimary);

public sealed record ContactCompany(
    [property: JsonNumberHandling(JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowReadingFromString)] long Id,
    string? Uri,
    string Name,
    string? JobTitle,
    bool IsPrimary);
