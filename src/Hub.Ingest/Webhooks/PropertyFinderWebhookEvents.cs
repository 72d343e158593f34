using System.Text.Json;
using Hub.Contracts.Observations;

namespace Hub.Ingest.Webhooks;

/// <summary>
/// Property Finder's lead webhook, <c>{"event":"lead.created","data":[lead, …]}</c>: full leads, the list
/// response's shape, so no follow-up GET is needed. Leads have no updated stamp and never change at the source, so
/// updatedUtc stays null, as the lead poller sends it (a webhook and a poll of one lead must compare equal).
/// </summary>
public static class PropertyFinderWebhookEvents
{
    public const string LeadCreated = "lead.created";

    public static WebhookReading Read(string eventName, JsonElement root)
    {
        if (eventName != LeadCreated)
            return new WebhookReading.Parked(eventName, $"Unknown Property Finder event type '{eventName}'.");
        if (!root.TryGetProperty("data", out var data))
            return new WebhookReading.Parked(eventName, "The delivery has no 'data'.");

        // The docs promise "almost identical" to the list's lead; accept one lead object as well as the list.
        var leads = data.ValueKind switch
        {
            JsonValueKind.Array => data.EnumerateArray().ToList(),
            JsonValueKind.Object => [data],
            _ => [],
        };
        if (leads.Count == 0)
            return new WebhookReading.Parked(eventName, "The delivery carries no lead in 'data'.");

        var records = new List<ObservedRecord>(leads.Count);
        foreach (var lead in leads)
        {
            if (lead.ValueKind != JsonValueKind.Object || WebhookReading.Id(lead, "id") is not { } id)
                return new WebhookReading.Parked(eventName, "A lead in 'data' has no id.");
            records.Add(new ObservedRecord(id, null, null, null, lead.Clone()));
        }

        return new WebhookReading.Observed(eventName, "lead", records);
    }
}
