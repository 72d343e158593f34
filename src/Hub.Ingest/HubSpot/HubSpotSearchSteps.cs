namespace Hub.Ingest.HubSpot;

/// <summary>
/// Where a change search goes after a page (ADR 0022). Every query starts at an anchor instant and is sorted by
/// last-modified ascending; the next one re-anchors on the last instant seen instead of following <c>after</c>, so no
/// query pages into HubSpot's 10,000-result cap and a record edited mid-walk (it moves to the end) never shifts an
/// unseen one behind an offset. A page whose every record sits at the anchor instant, with more behind it, cannot
/// move the anchor: that instant is walked by record id, then the search goes on after it.
/// </summary>
public static class HubSpotSearchSteps
{
    /// <summary>The next query after a page that ended at <paramref name="last"/>.</summary>
    /// <param name="anchor">The current query's anchor.</param>
    /// <param name="last">The last-modified instant of the page's last record.</param>
    /// <param name="more">HubSpot offered a next page.</param>
    public static SearchStep Next(DateTimeOffset anchor, DateTimeOffset last, bool more) =>
        !more ? SearchStep.Done
        : last > anchor ? new SearchStep(SearchStepKind.FromInstant, last)
        : new SearchStep(SearchStepKind.CrowdedInstant, anchor);
}

public enum SearchStepKind
{
    /// <summary>Nothing newer: the walk is complete.</summary>
    Done,

    /// <summary>Query again from this instant, inclusive (its records come again; the store drops repeats).</summary>
    FromInstant,

    /// <summary>More than a page shares this instant: walk it by id, then query after it, exclusive.</summary>
    CrowdedInstant,
}

public sealed record SearchStep(SearchStepKind Kind, DateTimeOffset Instant)
{
    public static readonly SearchStep Done = new(SearchStepKind.Done, default);
}
