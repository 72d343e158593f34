extern alias projections;

using System.Text.Json;
using Marten;
using projections::Hub.Projections.Records;
using Hub.Sync.Records;

namespace Hub.Api.Tests;

/// <summary>Appends record events the way Hub.Projections does (its event types, its inline state projection).</summary>
internal static class RecordEvents
{
    public static RecordCreated Created(string id, object fields) =>
        new("propstreet", "default", "contact", id, DateTimeOffset.UtcNow, null, null, JsonSerializer.SerializeToElement(fields));

    public static RecordUpdated Updated(string id, object changed, params string[] removed) =>
        new("propstreet", "default", "contact", id, DateTimeOffset.UtcNow, null, null, JsonSerializer.SerializeToElement(changed), removed);

    /// <summary>Starts the record's stream with <paramref name="events"/> (as EventWriter does a new stream) and returns its key.</summary>
    public static async Task<string> StartAsync(IDocumentStore store, string id, params object[] events)
    {
        var key = SourceRecord.StreamKey("propstreet", "contact", id);
        await using var session = store.LightweightSession();
        session.Events.StartStream(key, events);
        await session.SaveChangesAsync();
        return key;
    }
}
