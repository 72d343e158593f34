namespace Hub.Sync.HubSpot;

/// <summary>
/// The names by which the HubSpot read model and its pushes are known across hosts: Hub.Projections registers them,
/// Hub.Api reads their progress and requests rebuilds by them.
/// </summary>
public static class HubSpotReadModel
{
    /// <summary>The projection (and daemon shard) that builds <see cref="HubSpotRecord"/>.</summary>
    public const string ProjectionName = "HubSpotRecord";

    /// <summary>What operators name it when they ask for a rebuild.</summary>
    public const string RebuildName = "hubspot";

    /// <summary>The push subscription to one HubSpot connection.</summary>
    public static string PushSubscriptionName(string connection) => $"HubSpotPush-{connection}";
}
