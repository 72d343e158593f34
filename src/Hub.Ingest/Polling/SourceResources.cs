namespace Hub.Ingest.Polling;

/// <summary>The resources each source offers to polling, by their configured (plural) names.</summary>
public static class SourceResources
{
    private static readonly string[] PropstreetResources = ["contacts", "companies", "projects", "prospects", "properties"];
    private static readonly string[] PropertyFinderResources = ["leads"];

    public static IReadOnlyList<string> For(string source) => source switch
    {
        Connections.SourceConnection.Propstreet => PropstreetResources,
        Connections.SourceConnection.PropertyFinder => PropertyFinderResources,
        _ => [],
    };

    public static int MaxPageSize(string source) => source == Connections.SourceConnection.PropertyFinder ? 50 : 500;

    /// <summary>The singular name used in observations and stream keys (<c>contacts</c> → <c>contact</c>).</summary>
    public static string Singular(string resource) => resource switch
    {
        "companies" => "company",
        "properties" => "property",
        _ => resource.TrimEnd('s'),
    };
}
