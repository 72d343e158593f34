using System.Text.Json.Serialization;
using Hub.Sandbox.Propstreet.Storage;

namespace Hub.Sandbox.Propstreet.Prospects;

/// <summary>An investor (contact or company) on a project. Served with null fields omitted.</summary>
public sealed record Prospect : IStoredRecord
{
    [JsonNumberHandling(JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowReadingFromString)]
    public required long Id { get; init; }

    [JsonNumberHandling(JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowReadingFromString)]
    public required long ProjectId { get; init; }

    [JsonNumberHandling(JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowReadingFromString)]
    public long? ContactId { get; init; }

    [JsonNumberHandling(JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowReadingFromString)]
    public long? CompanyId { get; init; }

    public string Classification { get; init; } = "not_contacted";

    public IReadOnlyList<string> Capabilities { get; init; } = [];

    public IReadOnlyList<string> Tags { get; init; } = [];

    public IReadOnlyList<ExternalRef> ExternalRefs { get; init; } = [];

    public ProspectTeaser? Teaser { get; init; }

    public required DateTime CreatedUtc { get; init; }

    public required DateTime UpdatedUtc { get; init; }

    public DateTime? DeletedUtc { get; init; }

    public string Etag => ETags.For(Version);

    public string? ChangeOrigin { get; init; }

    /// <summary>Whether the prospect was added by the tenant (contact or company id given) rather than matched.</summary>
    [JsonIgnore]
    public bool AddedDirectly => Teaser is null;

    [JsonIgnore]
    public long Version { get; init; }
}

public sealed record ProspectTeaser(DateTime? AcceptedUtc, DateTime DeadlineUtc);
