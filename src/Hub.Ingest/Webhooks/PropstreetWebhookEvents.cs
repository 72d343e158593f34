using System.Text.Json;
using Hub.Contracts.Observations;
using Hub.Ingest.Observations;

namespace Hub.Ingest.Webhooks;

/// <summary>
/// Propstreet's <c>{event, timestamp, data{…record, changeOrigin, changedFields}}</c>: <c>contact|company|project|prospect</c>
/// <c>.created|.updated|.deleted</c>, the full record in <c>data</c> (so no follow-up GET is needed). The record is
/// carried untouched; id, updatedUtc, deletedUtc and etag are read from it. Prospects are keyed
/// <c>{projectId}:{id}</c>, as their streams are.
/// </summary>
public static class PropstreetWebhookEvents
{
    private static readonly HashSet<string> Resources = ["contact", "company", "project", "prospect"];
    private static readonly HashSet<string> Changes = ["created", "updated", "deleted"];

    public static WebhookReading Read(string eventName, JsonElement root)
    {
        var parts = eventName.Split('.');
        if (parts.Length != 2 || !Resources.Contains(parts[0]) || !Changes.Contains(parts[1]))
            return new WebhookReading.Parked(eventName, $"Unknown Propstreet event type '{eventName}'.");
        var resource = parts[0];
        if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
            return new WebhookReading.Parked(eventName, "The delivery has no record object in 'data'.");

        var id = WebhookReading.Id(data, "id");
        if (id is null)
            return new WebhookReading.Parked(eventName, "The record in 'data' has no id.");
        if (resource == "prospect")
        {
            if (WebhookReading.Id(data, "projectId") is not { } projectId)
                return new WebhookReading.Parked(eventName, "The prospect in 'data' has no projectId.");
            id = $"{projectId}:{id}";
        }

        if (!SourceTimestamps.TryRead(data, "updatedUtc", out var updatedUtc)
            || !SourceTimestamps.TryRead(data, "deletedUtc", out var deletedUtc)
            || !SourceTimestamps.TryRead(root, "timestamp", out var sentUtc))
            return new WebhookReading.Parked(eventName, "A timestamp of the delivery is not an ISO 8601 instant.");

        // A delete is a delete even if a payload ever comes without the stamp (the sandbox always sends it).
        if (parts[1] == "deleted")
            deletedUtc ??= updatedUtc ?? sentUtc;
        var etag = data.TryGetProperty("etag", out var tag) && tag.ValueKind == JsonValueKind.String ? tag.GetString() : null;
        return new WebhookReading.Observed(eventName, resource, [new ObservedRecord(id, updatedUtc, deletedUtc, etag, data.Clone())]);
    }
}
