namespace Hub.Sandbox.Propstreet.Storage;

/// <summary>What the keyset store needs from every resource (contact, company, project, prospect, property).</summary>
public interface IStoredRecord
{
    long Id { get; }

    DateTime UpdatedUtc { get; }

    DateTime? DeletedUtc { get; }

    /// <summary>Store-wide write sequence of this state; the etag is derived from it.</summary>
    long Version { get; }
}

public static class ETags
{
    public static string For(long version) => $"W/\"{version:x8}\"";

    /// <summary>If-Match may list several etags or <c>*</c>; weak comparison as for PATCH in practice.</summary>
    public static bool Matches(string? ifMatch, string current)
    {
        if (string.IsNullOrWhiteSpace(ifMatch))
            return true;
        foreach (var candidate in ifMatch.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (candidate == "*" || Strip(candidate) == Strip(current))
                return true;
        }

        return false;
    }

    private static string Strip(string tag) => tag.StartsWith("W/", StringComparison.Ordinal) ? tag[2..] : tag;
}
