using Hub.Sync.HubSpot;
using Hub.Sync.Records;
using Hub.Sync.TwoWay;

namespace Hub.Sync;

/// <summary>
/// The explicit, versioned names the record streams' events are stored under: Hub.Projections registers them with the
/// store, Hub.Api reads stored events by them. A name never changes meaning; a new shape gets a new name.
/// </summary>
public static class StoredEventNames
{
    public static IReadOnlyDictionary<Type, string> ByType { get; } = new Dictionary<Type, string>
    {
        [typeof(RecordCreated)] = "record.created.v1",
        [typeof(RecordUpdated)] = "record.updated.v1",
        [typeof(RecordDeleted)] = "record.deleted.v1",
        [typeof(RecordRevived)] = "record.revived.v1",
        [typeof(HubSpotPushed)] = "hubspot.pushed.v1",
        [typeof(HubSpotPushParked)] = "hubspot.parked.v1",
        [typeof(HubSpotMerged)] = "hubspot.merged.v1",
        [typeof(SyncDecided)] = SyncDecided.EventTypeName,
        [typeof(PropstreetWrittenBack)] = "twoway.written_back.v1",
        [typeof(PropstreetWriteParked)] = "twoway.parked.v1",
    };

    private static readonly Dictionary<string, Type> ByName = ByType.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    public static string Of<T>() => ByType[typeof(T)];

    /// <summary>The type stored under <paramref name="name"/>; null for names these streams do not use.</summary>
    public static Type? TypeOf(string name) => ByName.GetValueOrDefault(name);
}
