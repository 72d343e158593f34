using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hub.Sandbox.Propstreet.Webhooks;

/// <summary>
/// The <c>changedFields</c> of a webhook payload: top-level fields whose JSON differs, with one level of nesting
/// spelled out (e.g. <c>teaser.stage</c>) as in the docs' example. Bookkeeping fields are left out.
/// </summary>
public static class ChangedFields
{
    private static readonly HashSet<string> Bookkeeping = ["updatedUtc", "etag", "changeType", "changeOrigin", "uri"];

    public static IReadOnlyList<string> Between<T>(T? before, T after, JsonSerializerOptions options)
    {
        var next = JsonSerializer.SerializeToNode(after, options)?.AsObject() ?? [];
        if (before is null)
            return next.Where(p => p.Value is not null && !Bookkeeping.Contains(p.Key)).Select(p => p.Key).ToList();
        var previous = JsonSerializer.SerializeToNode(before, options)?.AsObject() ?? [];
        var changed = new List<string>();
        foreach (var key in previous.Select(p => p.Key).Union(next.Select(p => p.Key)))
        {
            if (Bookkeeping.Contains(key))
                continue;
            var a = previous[key];
            var b = next[key];
            if (JsonNode.DeepEquals(a, b))
                continue;
            if (a is JsonObject ao && b is JsonObject bo)
            {
                changed.AddRange(ao.Select(p => p.Key).Union(bo.Select(p => p.Key))
                    .Where(k => !JsonNode.DeepEquals(ao[k], bo[k]))
                    .Select(k => $"{key}.{k}"));
            }
            else
            {
                changed.Add(key);
            }
        }

        return changed;
    }
}
