using System.Globalization;
using Hub.Sandbox.HubSpot.Associations;
using Hub.Sandbox.HubSpot.Control;
using Hub.Sandbox.HubSpot.Schema;
using Microsoft.Extensions.Options;

namespace Hub.Sandbox.HubSpot.Objects;

/// <summary>
/// <c>/crm/v3/objects/{objectType}</c>: list (<c>after</c> paging, <c>archived</c>), read by id or unique property,
/// create, update, archive, merge, and contacts' GDPR delete. API writes report <c>changeSource: INTEGRATION</c>.
/// </summary>
public static class ObjectEndpoints
{
    public const int DefaultLimit = 10;
    public const int MaxLimit = 100;

    public static void MapObjectEndpoints(this RouteGroupBuilder crm)
    {
        var objects = crm.MapGroup("/v3/objects/{objectType}");

        objects.MapGet("/", (string objectType, HttpRequest request, CrmData data, RequestStats stats) =>
        {
            var (type, error) = HubSpotRequests.Type(data.Types, objectType);
            if (type is null)
                return error!.ToResult();
            stats.Request(type, "list");
            var (limit, from, invalid) = HubSpotRequests.Page(request, DefaultLimit, MaxLimit);
            if (invalid is not null)
                return invalid.ToResult();
            var archived = HubSpotRequests.Flag(request, "archived");
            var properties = HubSpotRequests.Properties(request);
            var (page, next) = data.Store(type).Locked(w => w.Page(from, limit, archived));
            var results = page.Select(r => HubSpotJson.View(type, r, properties)).ToList();
            return HubSpotJson.Ok(next is { } n ? new ListPage(results, Paging.Next(request, n)) : new ListPage(results, null));
        });

        objects.MapGet("/{id}", (string objectType, string id, HttpRequest request, CrmData data, RequestStats stats) =>
        {
            var (type, error) = HubSpotRequests.Type(data.Types, objectType);
            if (type is null)
                return error!.ToResult();
            stats.Request(type, "read");
            var idProperty = request.Query["idProperty"].ToString() is { Length: > 0 } p ? p : null;
            var archived = HubSpotRequests.Flag(request, "archived");
            var record = data.Store(type).Locked(w => archived
                ? CrmWrites.ParseId(id) is { } n ? w.Archived(n) : null
                : CrmWrites.Find(w, type, id, idProperty));
            return record is null ? HubSpotError.NotFound(id).ToResult() : HubSpotJson.Ok(HubSpotJson.View(type, record, HubSpotRequests.Properties(request)));
        });

        objects.MapPost("/", async (string objectType, HttpRequest request, CrmData data, CrmWrites writes, AssociationWrites associationWrites, RequestStats stats, IOptions<HubSpotOptions> options, CancellationToken ct) =>
        {
            var (type, error) = HubSpotRequests.Type(data.Types, objectType);
            if (type is null)
                return error!.ToResult();
            stats.Request(type, "create");
            var (body, invalid) = await HubSpotRequests.ReadJsonAsync(request, ct);
            if (invalid is not null)
                return invalid.ToResult();
            var errors = new List<PropertyError>();
            var properties = writes.ParseProperties(type, HubSpotRequests.Member(body, "properties"), errors);
            if (errors.Count > 0)
                return HubSpotError.InvalidProperties(errors).ToResult();
            var (associations, refused) = CreateAssociations.Parse(data, type, HubSpotRequests.Member(body, "associations"));
            if (refused is not null)
                return refused.ToResult();
            var (created, conflict) = writes.Create(type, [properties], Integration(options));
            if (created is null)
                return conflict!.ToResult();
            CreateAssociations.Add(associationWrites, type, created[0].Id, associations!, Integration(options));
            return HubSpotJson.Ok(HubSpotJson.WrittenView(created[0]), StatusCodes.Status201Created);
        });

        objects.MapPatch("/{id}", async (string objectType, string id, HttpRequest request, CrmData data, CrmWrites writes, RequestStats stats, IOptions<HubSpotOptions> options, CancellationToken ct) =>
        {
            var (type, error) = HubSpotRequests.Type(data.Types, objectType);
            if (type is null)
                return error!.ToResult();
            stats.Request(type, "update");
            var (body, invalid) = await HubSpotRequests.ReadJsonAsync(request, ct);
            if (invalid is not null)
                return invalid.ToResult();
            var idProperty = request.Query["idProperty"].ToString() is { Length: > 0 } p ? p : null;
            if (idProperty is not null && HubSpotRequests.CheckIdProperty(type, idProperty, options.Value.PortalId) is { } notUnique)
                return notUnique.ToResult();
            var errors = new List<PropertyError>();
            var properties = writes.ParseProperties(type, HubSpotRequests.Member(body, "properties"), errors);
            if (errors.Count > 0)
                return HubSpotError.InvalidProperties(errors).ToResult();
            var key = idProperty is null ? id : CrmWrites.NormalizeKey(type, idProperty, id);
            var outcome = writes.Update(type, [new WriteInput(key, idProperty, properties)], Integration(options))[0];
            return outcome.Record is { } record
                ? HubSpotJson.Ok(HubSpotJson.WrittenView(record))
                : (outcome.Error!.Category == "OBJECT_NOT_FOUND" ? HubSpotError.NotFound(id) : outcome.Error with { Context = null }).ToResult();
        });

        // HubSpot answers 204 also for an id it does not know.
        objects.MapDelete("/{id}", (string objectType, string id, CrmData data, CrmWrites writes, RequestStats stats, IOptions<HubSpotOptions> options) =>
        {
            var (type, error) = HubSpotRequests.Type(data.Types, objectType);
            if (type is null)
                return error!.ToResult();
            stats.Request(type, "archive");
            writes.Archive(type, [id], Integration(options));
            return Results.NoContent();
        });

        objects.MapPost("/merge", async (string objectType, HttpRequest request, CrmData data, CrmWrites writes, RequestStats stats, IOptions<HubSpotOptions> options, CancellationToken ct) =>
        {
            var (type, error) = HubSpotRequests.Type(data.Types, objectType);
            if (type is null)
                return error!.ToResult();
            stats.Request(type, "merge");
            var (body, invalid) = await HubSpotRequests.ReadJsonAsync(request, ct);
            if (invalid is not null)
                return invalid.ToResult();
            var (primary, failed) = writes.Merge(type, HubSpotRequests.Text(body, "primaryObjectId") ?? "", HubSpotRequests.Text(body, "objectIdToMerge") ?? "", Integration(options));
            return primary is null ? failed!.ToResult() : HubSpotJson.Ok(HubSpotJson.WrittenView(primary));
        });

        objects.MapPost("/gdpr-delete", async (string objectType, HttpRequest request, CrmData data, CrmWrites writes, RequestStats stats, IOptions<HubSpotOptions> options, CancellationToken ct) =>
        {
            var (type, error) = HubSpotRequests.Type(data.Types, objectType);
            if (type is null)
                return error!.ToResult();
            if (type != data.Types.Contacts)
                return HubSpotError.Validation("GDPR delete is offered for contacts only.").ToResult();
            stats.Request(type, "gdpr-delete");
            var (body, invalid) = await HubSpotRequests.ReadJsonAsync(request, ct);
            if (invalid is not null)
                return invalid.ToResult();
            var id = HubSpotRequests.Text(body, "objectId") ?? "";
            if (HubSpotRequests.Text(body, "idProperty") is { } idProperty)
                id = data.Store(type).Locked(w => w.ByUnique(idProperty, CrmWrites.NormalizeKey(type, idProperty, id))?.Id.ToString(CultureInfo.InvariantCulture)) ?? "";
            return writes.PrivacyDelete(type, id, Integration(options)) ? Results.NoContent() : HubSpotError.NotFound(id).ToResult();
        });
    }

    /// <summary>Writes through the API are the hub's private app: <c>changeSource</c> INTEGRATION with the app id.</summary>
    public static ChangeSource Integration(IOptions<HubSpotOptions> options) =>
        new(ChangeSource.Integration, options.Value.AppId.ToString(CultureInfo.InvariantCulture));
}

public sealed record ListPage(IReadOnlyList<ObjectView> Results, [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] PagingView? Paging);

public sealed record PagingView(NextPage Next);

public sealed record NextPage(string After, [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Link);

/// <summary>
/// List cursors: the id the next page starts at, base64-encoded so clients pass it back unchanged rather than
/// computing one (HubSpot documents <c>after</c> as opaque).
/// </summary>
public static class Paging
{
    public static string Encode(long nextId) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(nextId.ToString(CultureInfo.InvariantCulture)));

    public static long? Decode(string after)
    {
        try
        {
            var text = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(after));
            return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>paging.next with the cursor and a link to the next page (this request's query, <c>after</c> replaced).</summary>
    public static PagingView Next(HttpRequest request, long nextId)
    {
        var after = Encode(nextId);
        var query = request.Query.Where(q => q.Key != "after").SelectMany(q => q.Value.Select(v => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(v ?? "")}"))
            .Append($"after={Uri.EscapeDataString(after)}");
        return new PagingView(new NextPage(after, $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}?{string.Join('&', query)}"));
    }
}
