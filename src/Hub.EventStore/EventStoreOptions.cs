namespace Hub.EventStore;

public sealed class EventStoreOptions
{
    /// <summary>Start even if PostgreSQL has fsync or synchronous_commit off. Only for throwaway environments.</summary>
    public bool AllowUnsafeDurability { get; set; }

    /// <summary>Apply the schema scripts at start-up.</summary>
    public bool MigrateOnStart { get; set; } = true;
}
