namespace Hub.Contracts.Changes;

/// <summary>Names and places of the published change events: the public API other services bind to.</summary>
public static class ChangeEventTypes
{
    /// <summary>The durable topic exchange every change event is published to; its routing key is the event type.</summary>
    public const string Exchange = "hub.changes";

    /// <summary>Current version of <see cref="RecordChanged"/>.</summary>
    public const int Version = 1;

    public const string Created = "created";
    public const string Updated = "updated";
    public const string Deleted = "deleted";
    public const string Revived = "revived";

    /// <summary><c>{source}.{resource}.{change}.v{n}</c>, e.g. <c>propstreet.contact.updated.v1</c>.</summary>
    public static string For(string source, string resource, string change) => $"{source}.{resource}.{change}.v{Version}";
}
