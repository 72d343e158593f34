using System.Globalization;
using Hub.Sandbox.Hosting;
using Hub.Sandbox.HubSpot.Associations;
using Hub.Sandbox.HubSpot.Objects;
using Hub.Sandbox.HubSpot.Schema;
using Hub.Sandbox.HubSpot.Search;
using Hub.Sandbox.HubSpot.Webhooks;
using Microsoft.Extensions.Options;

namespace Hub.Sandbox.HubSpot.Control;

/// <summary>
/// <c>{admin}/hubspot/…</c> (admin surface only): edit, archive, merge or GDPR-delete records as a HubSpot user would
/// in the CRM (<c>changeSource: CRM_UI</c>; webhooks fire as for any change), read and reset the counters, change
/// limits and webhook settings at runtime, let search catch up with every write, see webhook deliveries, and reseed
/// HubSpot alone. No token, no rate limit.
/// </summary>
public static class HubSpotControlEndpoints
{
    public static void MapHubSpotControlEndpoints(this RouteGroupBuilder control)
    {
        control.MapGet("/stats", (RequestStats stats, CrmData data) => Results.Ok(stats.Snapshot(data)));

        control.MapGet("/requests", (RequestStats stats) => Results.Ok(stats.RequestLog()));

        control.MapDelete("/stats", (RequestStats stats) =>
        {
            stats.Clear();
            return Results.NoContent();
        });

        control.MapPost("/reset", (int? seed, HubSpotSandboxApi api, IOptions<SandboxOptions> options) =>
        {
            api.Reseed(seed ?? options.Value.Seed, options.Value.Sizes);
            return Results.NoContent();
        });

        control.MapGet("/settings", (HubSpotSettings settings) => Results.Ok(settings.Limits));

        control.MapPut("/settings", (HubSpotLimits limits, HubSpotSettings settings) =>
        {
            var errors = limits.Validate();
            if (errors.Count > 0)
                return Results.ValidationProblem(errors, title: "Invalid HubSpot limits");
            settings.Limits = limits;
            return Results.Ok(limits);
        });

        // Search's index catches up: every write is findable now, also one made under a long visibility delay.
        control.MapPost("/search/catch-up", (SearchIndex index) =>
        {
            index.CatchUp();
            return Results.NoContent();
        });

        control.MapGet("/webhooks", (WebhookEvents events) => Results.Ok(events.Settings));

        // Replaces the target URL and subscriptions (ids are renumbered from the list's order).
        control.MapPut("/webhooks", (WebhookSettingsRequest request, WebhookEvents events) =>
        {
            if (request.TargetUrl is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["targetUrl"] = ["targetUrl must be an absolute http(s) URL."] });
            var subscriptions = request.Subscriptions ?? [];
            if (subscriptions.FirstOrDefault(s => !IsSubscriptionType(s.SubscriptionType)) is { } bad)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["subscriptions"] = [$"Unknown subscription type '{bad.SubscriptionType}': use <contact|company|deal|listing>.<creation|deletion|propertyChange|merge|associationChange>, or contact.privacyDeletion."],
                });
            }

            events.Settings = WebhookEvents.Renumbered(request.TargetUrl, subscriptions.Select(s => (s.SubscriptionType, s.PropertyName, s.Active ?? true)));
            return Results.Ok(events.Settings);
        });

        control.MapGet("/webhooks/deliveries", (WebhookDispatcher dispatcher) => Results.Ok(dispatcher.History));

        // A user's edit of one pair in the CRM: its user-defined labels set (the unlabeled association kept), or it removed.
        var pair = control.MapGroup("/associations/{fromObjectType}/{fromId}/{toObjectType}/{toId}");

        // What a user sees of one pair in the CRM (outside the API's rate limit, for tests and demos).
        pair.MapGet("/", (string fromObjectType, string fromId, string toObjectType, string toId, CrmData data) =>
        {
            var (from, fromKey, to, toKey, error) = Pair(data, fromObjectType, fromId, toObjectType, toId);
            if (error is not null)
                return error.ToResult();
            return Results.Ok(PairView(data, from!, fromKey, to!, toKey));
        });

        pair.MapPost("/", (string fromObjectType, string fromId, string toObjectType, string toId, AssociationLabelsRequest request, CrmData data, AssociationWrites writes) =>
        {
            var (from, fromKey, to, toKey, error) = Pair(data, fromObjectType, fromId, toObjectType, toId);
            if (error is not null)
                return error.ToResult();
            if (writes.SetLabels(from!, fromKey, to!, toKey, request.Labels ?? [], CrmUi(data)) is { } refused)
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["labels"] = [refused] });
            return Results.Ok(PairView(data, from!, fromKey, to!, toKey));
        });

        pair.MapDelete("/", (string fromObjectType, string fromId, string toObjectType, string toId, CrmData data, AssociationWrites writes) =>
        {
            var (from, fromKey, to, toKey, error) = Pair(data, fromObjectType, fromId, toObjectType, toId);
            if (error is not null)
                return error.ToResult();
            writes.RemoveAll(from!, fromKey, to!, toKey, CrmUi(data));
            return Results.NoContent();
        });

        var objects = control.MapGroup("/objects/{objectType}");

        objects.MapGet("/{id}", (string objectType, string id, CrmData data) =>
        {
            var (type, error) = HubSpotRequests.Type(data.Types, objectType);
            if (type is null)
                return error!.ToResult();
            var record = data.Store(type).Locked(w => CrmWrites.ParseId(id) is { } n ? w.Live(n) ?? w.Archived(n) : null);
            return record is null ? HubSpotError.NotFound(id).ToResult() : HubSpotJson.Ok(HubSpotJson.WrittenView(record));
        });

        objects.MapPost("/", async (string objectType, HttpRequest request, CrmData data, CrmWrites writes, CancellationToken ct) =>
        {
            var (type, properties, error) = await ReadAsync(objectType, request, data, writes, ct);
            if (error is not null)
                return error.ToResult();
            var (created, conflict) = writes.Create(type!, [properties!], CrmUi(data));
            return created is null ? conflict!.ToResult() : HubSpotJson.Ok(HubSpotJson.WrittenView(created[0]), StatusCodes.Status201Created);
        });

        objects.MapPatch("/{id}", async (string objectType, string id, HttpRequest request, CrmData data, CrmWrites writes, CancellationToken ct) =>
        {
            var (type, properties, error) = await ReadAsync(objectType, request, data, writes, ct);
            if (error is not null)
                return error.ToResult();
            var outcome = writes.Update(type!, [new WriteInput(id, null, properties!)], CrmUi(data))[0];
            return outcome.Record is { } record ? HubSpotJson.Ok(HubSpotJson.WrittenView(record)) : outcome.Error!.ToResult();
        });

        objects.MapDelete("/{id}", (string objectType, string id, CrmData data, CrmWrites writes) =>
        {
            var (type, error) = HubSpotRequests.Type(data.Types, objectType);
            if (type is null)
                return error!.ToResult();
            return writes.Archive(type, [id], CrmUi(data)) > 0 ? Results.NoContent() : HubSpotError.NotFound(id).ToResult();
        });

        objects.MapPost("/merge", (string objectType, MergeRequest merge, CrmData data, CrmWrites writes) =>
        {
            var (type, error) = HubSpotRequests.Type(data.Types, objectType);
            if (type is null)
                return error!.ToResult();
            var (primary, failed) = writes.Merge(type, merge.PrimaryObjectId ?? "", merge.ObjectIdToMerge ?? "", CrmUi(data));
            return primary is null ? failed!.ToResult() : HubSpotJson.Ok(HubSpotJson.WrittenView(primary));
        });

        objects.MapPost("/{id}/gdpr-delete", (string objectType, string id, CrmData data, CrmWrites writes) =>
        {
            var (type, error) = HubSpotRequests.Type(data.Types, objectType);
            if (type is null)
                return error!.ToResult();
            return writes.PrivacyDelete(type, id, CrmUi(data)) ? Results.NoContent() : HubSpotError.NotFound(id).ToResult();
        });
    }

    /// <summary>Edits in the CRM are a user's: <c>changeSource</c> CRM_UI, <c>sourceId</c> userId of the first owner.</summary>
    private static ChangeSource CrmUi(CrmData data) =>
        new(ChangeSource.CrmUi, data.Owners.Count > 0 ? "userId:" + data.Owners[0].UserId.ToString(CultureInfo.InvariantCulture) : null);

    private static async Task<(ObjectType? Type, Dictionary<string, string?>? Properties, HubSpotError? Error)> ReadAsync(
        string objectType, HttpRequest request, CrmData data, CrmWrites writes, CancellationToken ct)
    {
        var (type, unknown) = HubSpotRequests.Type(data.Types, objectType);
        if (type is null)
            return (null, null, unknown);
        var (body, invalid) = await HubSpotRequests.ReadJsonAsync(request, ct);
        if (invalid is not null)
            return (null, null, invalid);
        var errors = new List<PropertyError>();
        var properties = writes.ParseProperties(type, HubSpotRequests.Member(body, "properties"), errors);
        return errors.Count > 0 ? (null, null, HubSpotError.InvalidProperties(errors)) : (type, properties, null);
    }

    /// <summary>A pair as the CRM shows it: the other end and the association types (labels) between them.</summary>
    private static AssociatedRecord PairView(CrmData data, ObjectType from, long fromKey, ObjectType to, long toKey)
    {
        var types = data.Associations.From(from.Name, fromKey, to.Name).FirstOrDefault(e => e.ToId == toKey).TypeIds ?? [];
        return new AssociatedRecord(toKey, [.. types.Select(t => AssociationTypes.Get(from.Name, to.Name, t)).Select(t => new TypeView(t.Category, t.TypeId, t.Label))]);
    }

    /// <summary>Both ends of a pair, each a live record of a known type.</summary>
    private static (ObjectType? From, long FromId, ObjectType? To, long ToId, HubSpotError? Error) Pair(
        CrmData data, string fromObjectType, string fromId, string toObjectType, string toId)
    {
        var (from, fromUnknown) = HubSpotRequests.Type(data.Types, fromObjectType);
        if (from is null)
            return (null, 0, null, 0, fromUnknown);
        var (to, toUnknown) = HubSpotRequests.Type(data.Types, toObjectType);
        if (to is null)
            return (null, 0, null, 0, toUnknown);
        if (CrmWrites.ParseId(fromId) is not { } fromKey || data.Store(from).Locked(w => w.Live(fromKey)) is null)
            return (null, 0, null, 0, CrmWrites.NotFound(from, fromId));
        if (CrmWrites.ParseId(toId) is not { } toKey || data.Store(to).Locked(w => w.Live(toKey)) is null)
            return (null, 0, null, 0, CrmWrites.NotFound(to, toId));
        return (from, fromKey, to, toKey, null);
    }

    private static bool IsSubscriptionType(string? value) =>
        value?.Split('.') is [var objectType, var kind]
        && ((objectType is "contact" or "company" or "deal" or "listing" && kind is "creation" or "deletion" or "propertyChange" or "merge" or "associationChange")
            || (objectType == "contact" && kind == "privacyDeletion"));

    public sealed record AssociationLabelsRequest(IReadOnlyList<string>? Labels);

    public sealed record MergeRequest(string? PrimaryObjectId, string? ObjectIdToMerge);

    public sealed record SubscriptionRequest(string SubscriptionType, string? PropertyName, bool? Active);

    public sealed record WebhookSettingsRequest(Uri? TargetUrl, IReadOnlyList<SubscriptionRequest>? Subscriptions);
}
