namespace Hub.Sync.HubSpot;

/// <summary>A lead's owner: the listing owner, or null when no listing matched (pushed unassigned, flagged).</summary>
public sealed record LeadAssignment(string? OwnerId)
{
    public const string ListingOwner = "listing_owner";
    public const string Unassigned = "unassigned";
}
