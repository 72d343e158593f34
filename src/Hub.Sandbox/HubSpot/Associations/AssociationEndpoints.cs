using System.Globalization;
using System.Text.Json;
using Hub.Sandbox.HubSpot.Control;
using Hub.Sandbox.HubSpot.Objects;
using Hub.Sandbox.HubSpot.Schema;
using Microsoft.Extensions.Options;

namespace Hub.Sandbox.HubSpot.Associations;

/// <summary>
/// Associations v4 under <c>/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/…</c>: create with explicit
/// types, associate default (unlabeled), read, archive (every type between two records) and labels/archive (some
/// types). At most 100 inputs. An input naming a record that does not exist fails alone (207); a type the pair does
/// not have fails the batch (400).
/// </summary>
public static class AssociationEndpoints
{
    public static void MapAssociationEndpoints(this RouteGroupBuilder crm)
    {
        var batch = crm.MapGroup("/v4/associations/{fromObjectType}/{toObjectType}/batch");

        crm.MapGet("/v4/associations/{fromObjectType}/{toObjectType}/labels", (string fromObjectType, string toObjectType, CrmData data, RequestStats stats) =>
        {
            if (data.Types.Resolve(fromObjectType) is not { } from || data.Types.Resolve(toObjectType) is not { } to)
                return HubSpotError.UnknownObjectType(data.Types.Resolve(fromObjectType) is null ? fromObjectType : toObjectType).ToResult();
            stats.Request(from, "associations/labels");
            return Results.Ok(new { results = AssociationTypes.Between(from.Name, to.Name).Select(t => new TypeView(t.Category, t.TypeId, t.Label)) });
        });

        batch.MapPost("/create", async (string fromObjectType, string toObjectType, HttpRequest request, CrmData data, AssociationWrites writes, IOptions<HubSpotOptions> options, RequestStats stats, TimeProvider clock, CancellationToken ct) =>
        {
            var started = clock.GetUtcNow();
            var (pair, inputs, error) = await ReadAsync(fromObjectType, toObjectType, "associations/create", request, data, stats, ct);
            if (error is not null)
                return error.ToResult();
            var (from, to) = pair;
            var planned = new List<(long From, long To, List<AssociationType> Types)>();
            foreach (var input in inputs!)
            {
                var types = new List<AssociationType>();
                foreach (var spec in Array(input, "types"))
                {
                    var category = HubSpotRequests.Text(spec, "associationCategory");
                    var typeId = int.TryParse(HubSpotRequests.Text(spec, "associationTypeId"), NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : -1;
                    if (AssociationTypes.Find(from.Name, to.Name, typeId) is not { } type || category != type.Category)
                        return HubSpotError.Validation($"{category} association type {typeId} does not exist between {from.Name} and {to.Name}.").ToResult();
                    types.Add(type);
                }

                if (types.Count == 0)
                    return HubSpotError.Validation("Every input needs \"types\": [{associationCategory, associationTypeId}].").ToResult();
                planned.Add((Id(input, "from"), Id(input, "to"), types));
            }

            var results = new List<object>();
            var errors = new List<HubSpotError>();
            foreach (var (fromId, toId, types) in planned)
            {
                if (Missing(data, from, fromId, to, toId) is { } missing)
                {
                    errors.Add(missing);
                    continue;
                }

                foreach (var type in types)
                    writes.Add(from, fromId, to, toId, type, ObjectEndpoints.Integration(options));
                results.Add(new CreatedAssociation(from.TypeId, fromId, to.TypeId, toId, [.. types.Select(t => t.Label).OfType<string>()]));
            }

            return HubSpotRequests.BatchResult(results, errors, started, clock, StatusCodes.Status201Created);
        });

        batch.MapPost("/associate/default", async (string fromObjectType, string toObjectType, HttpRequest request, CrmData data, AssociationWrites writes, IOptions<HubSpotOptions> options, RequestStats stats, TimeProvider clock, CancellationToken ct) =>
        {
            var started = clock.GetUtcNow();
            var (pair, inputs, error) = await ReadAsync(fromObjectType, toObjectType, "associations/default", request, data, stats, ct);
            if (error is not null)
                return error.ToResult();
            var (from, to) = pair;
            if (AssociationTypes.Default(from.Name, to.Name) is not { } type)
                return HubSpotError.Validation($"There is no default association between {from.Name} and {to.Name}.").ToResult();
            var results = new List<object>();
            var errors = new List<HubSpotError>();
            foreach (var input in inputs!)
            {
                var (fromId, toId) = (Id(input, "from"), Id(input, "to"));
                if (Missing(data, from, fromId, to, toId) is { } missing)
                {
                    errors.Add(missing);
                    continue;
                }

                writes.Add(from, fromId, to, toId, type, ObjectEndpoints.Integration(options));
                results.Add(new DefaultAssociation(new IdRef(HubSpotRequests.Id(fromId)), new IdRef(HubSpotRequests.Id(toId)), new AssociationSpec(type.Category, type.TypeId)));
            }

            return HubSpotRequests.BatchResult(results, errors, started, clock, StatusCodes.Status200OK);
        });

        batch.MapPost("/read", async (string fromObjectType, string toObjectType, HttpRequest request, CrmData data, RequestStats stats, TimeProvider clock, CancellationToken ct) =>
        {
            var started = clock.GetUtcNow();
            var (pair, inputs, error) = await ReadAsync(fromObjectType, toObjectType, "associations/read", request, data, stats, ct);
            if (error is not null)
                return error.ToResult();
            var (from, to) = pair;
            var results = new List<object>();
            var errors = new List<HubSpotError>();
            var toStore = data.Store(to);
            foreach (var id in inputs!.Select(i => HubSpotRequests.Text(i, "id") ?? "").Distinct(StringComparer.Ordinal))
            {
                var fromId = CrmWrites.ParseId(id) ?? -1;
                var edges = data.Associations.From(from.Name, fromId, to.Name);
                var live = toStore.Locked(w => edges.Where(e => w.Live(e.ToId) is not null).ToList());
                if (live.Count == 0)
                {
                    errors.Add(new HubSpotError(StatusCodes.Status404NotFound, "OBJECT_NOT_FOUND", $"No {to.Singular} is associated with {from.Singular} {id}.",
                        new Dictionary<string, IReadOnlyList<string>> { ["fromObjectId"] = [id] }, SubCategory: "crm.associations.NO_ASSOCIATIONS_FOUND"));
                    continue;
                }

                results.Add(new AssociationsOf(new IdRef(id), [.. live.Select(e => new AssociatedRecord(e.ToId,
                    [.. e.TypeIds.Select(t => AssociationTypes.Get(from.Name, to.Name, t)).Select(t => new TypeView(t.Category, t.TypeId, t.Label))]))]));
            }

            return HubSpotRequests.BatchResult(results, errors, started, clock, StatusCodes.Status200OK);
        });

        batch.MapPost("/archive", async (string fromObjectType, string toObjectType, HttpRequest request, CrmData data, AssociationWrites writes, IOptions<HubSpotOptions> options, RequestStats stats, CancellationToken ct) =>
        {
            var (pair, inputs, error) = await ReadAsync(fromObjectType, toObjectType, "associations/archive", request, data, stats, ct);
            if (error is not null)
                return error.ToResult();
            foreach (var input in inputs!)
            {
                var fromId = Id(input, "from");
                foreach (var to in Array(input, "to"))
                    writes.RemoveAll(pair.From, fromId, pair.To, CrmWrites.ParseId(HubSpotRequests.Text(to, "id")) ?? -1, ObjectEndpoints.Integration(options));
            }

            return Results.NoContent();
        });

        batch.MapPost("/labels/archive", async (string fromObjectType, string toObjectType, HttpRequest request, CrmData data, AssociationWrites writes, IOptions<HubSpotOptions> options, RequestStats stats, CancellationToken ct) =>
        {
            var (pair, inputs, error) = await ReadAsync(fromObjectType, toObjectType, "associations/labels-archive", request, data, stats, ct);
            if (error is not null)
                return error.ToResult();
            foreach (var input in inputs!)
            {
                foreach (var spec in Array(input, "types"))
                {
                    var typeId = int.TryParse(HubSpotRequests.Text(spec, "associationTypeId"), NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : -1;
                    if (AssociationTypes.Find(pair.From.Name, pair.To.Name, typeId) is { } type)
                        writes.Remove(pair.From, Id(input, "from"), pair.To, Id(input, "to"), type, ObjectEndpoints.Integration(options));
                }
            }

            return Results.NoContent();
        });
    }

    private static async Task<((ObjectType From, ObjectType To) Pair, List<JsonElement>? Inputs, HubSpotError? Error)> ReadAsync(
        string fromName, string toName, string operation, HttpRequest request, CrmData data, RequestStats stats, CancellationToken ct)
    {
        var from = data.Types.Resolve(fromName);
        var to = data.Types.Resolve(toName);
        if (from is null || to is null)
            return (default, null, HubSpotError.UnknownObjectType(from is null ? fromName : toName));
        stats.Request(from, operation);
        var (body, invalid) = await HubSpotRequests.ReadJsonAsync(request, ct);
        if (invalid is not null)
            return (default, null, invalid);
        var (inputs, refused) = HubSpotRequests.Inputs(body);
        return ((from, to), inputs, refused);
    }

    private static HubSpotError? Missing(CrmData data, ObjectType from, long fromId, ObjectType to, long toId)
    {
        if (data.Store(from).Locked(w => w.Live(fromId)) is null)
            return CrmWrites.NotFound(from, HubSpotRequests.Id(fromId));
        return data.Store(to).Locked(w => w.Live(toId)) is null ? CrmWrites.NotFound(to, HubSpotRequests.Id(toId)) : null;
    }

    private static long Id(JsonElement input, string side) =>
        CrmWrites.ParseId(HubSpotRequests.Text(HubSpotRequests.Member(input, side), "id")) ?? -1;

    private static IEnumerable<JsonElement> Array(JsonElement input, string name) =>
        HubSpotRequests.Member(input, name) is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray() : [];
}

public sealed record IdRef(string Id);

public sealed record CreatedAssociation(string FromObjectTypeId, long FromObjectId, string ToObjectTypeId, long ToObjectId, IReadOnlyList<string> Labels);

public sealed record AssociationSpec(string AssociationCategory, int AssociationTypeId);

public sealed record DefaultAssociation(IdRef From, IdRef To, AssociationSpec AssociationSpec);

public sealed record TypeView(string Category, int TypeId, string? Label);

public sealed record AssociatedRecord(long ToObjectId, IReadOnlyList<TypeView> AssociationTypes);

public sealed record AssociationsOf(IdRef From, IReadOnlyList<AssociatedRecord> To);
