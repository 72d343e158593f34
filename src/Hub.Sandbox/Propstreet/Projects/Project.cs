using System.Text.Json.Serialization;
using Hub.Sandbox.Propstreet.Storage;

namespace Hub.Sandbox.Propstreet.Projects;

/// <summary>A project (real estate transaction). Served with null fields omitted.</summary>
public sealed record Project : IStoredRecord
{
    [JsonNumberHandling(JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowReadingFromString)]
    public required long Id { get; init; }

    public required string Name { get; init; }

    public Asset Asset { get; init; } = new("single", null);

    /// <summary>open | closed | deleted (system-set; "deleted" once soft-deleted).</summary>
    public string Status => DeletedUtc is null ? LifecycleStatus : "deleted";

    public string Classification { get; init; } = "draft";

    public ProjectTeaser? Teaser { get; init; }

    public string? Mandate { get; init; }

    public Price? Price { get; init; }

    public PriceRange? PriceRange { get; init; }

    public IReadOnlyList<ProjectTransaction>? Transactions { get; init; }

    public IReadOnlyList<ExternalRef> ExternalRefs { get; init; } = [];

    public required DateTime CreatedUtc { get; init; }

    public required DateTime UpdatedUtc { get; init; }

    public DateTime? DeletedUtc { get; init; }

    public string Etag => ETags.For(Version);

    public string? ChangeOrigin { get; init; }

    [JsonIgnore]
    public string LifecycleStatus { get; init; } = "open";

    [JsonIgnore]
    public long Version { get; init; }
}

public sealed record Asset(string Type, int? PropertyCount);

public sealed record ProjectTeaser(string Stage, DateTime? PublishedUtc, DateTime? VerifiedUtc, DateTime? CommunicatedUtc);

public sealed record Price(decimal Value, string Currency, string Scale);

public sealed record PriceRange(decimal? Min, decimal? Max, string Currency, string Scale);

public sealed record ProjectTransaction(DateTime ClosedUtc, Price? Price);
