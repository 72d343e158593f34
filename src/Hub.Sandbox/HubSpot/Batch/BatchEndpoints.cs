using System.Text.Json;
using Hub.Sandbox.HubSpot.Associations;
using Hub.Sandbox.HubSpot.Control;
using Hub.Sandbox.HubSpot.Objects;
using Hub.Sandbox.HubSpot.Schema;
using Microsoft.Extensions.Options;

namespace Hub.Sandbox.HubSpot.Batch;

/// <summary>
/// <c>/crm/v3/objects/{objectType}/batch/{create|update|upsert|read|archive}</c>, at most 100 inputs. A malformed
/// body, an unknown, read-only or invalid property, a non-unique idProperty or the same id twice fails the whole
/// batch with 400; create is all or nothing (409 on a taken unique value); update, upsert and read answer 207 with
/// per-input errors (not found, conflict) beside the results of the inputs that succeeded.
/// </summary>
public static class BatchEndpoints
{
    public static void MapBatchEndpoints(this RouteGroupBuilder crm)
    {
        var batch = crm.MapGroup("/v3/objects/{objectType}/batch");

        batch.MapPost("/create", async (string objectType, HttpRequest request, CrmData data, CrmWrites writes, AssociationWrites associationWrites, RequestStats stats, IOptions<HubSpotOptions> options, TimeProvider clock, CancellationToken ct) =>
        {
            var started = clock.GetUtcNow();
            var (type, _, inputs, error) = await ReadAsync(objectType, "batch/create", request, data, stats, ct);
            if (error is not null)
                return error.ToResult();
            var parsed = ParseAll(type!, inputs!, writes, out var invalid);
            if (invalid is not null)
                return invalid.ToResult();
            var associations = new List<List<(ObjectType, long, AssociationType)>>();
            foreach (var input in inputs!)
            {
                var (planned, refused) = CreateAssociations.Parse(data, type!, HubSpotRequests.Member(input, "associations"));
                if (refused is not null)
                    return refused.ToResult();
                associations.Add(planned!);
            }

            var (created, conflict) = writes.Create(type!, parsed.Select(p => p.Properties).ToList(), ObjectEndpoints.Integration(options));
            if (created is null)
                return conflict!.ToResult();
            for (var i = 0; i < created.Count; i++)
                CreateAssociations.Add(associationWrites, type!, created[i].Id, associations[i], ObjectEndpoints.Integration(options));
            return HubSpotRequests.BatchResult([.. created.Select(r => HubSpotJson.WrittenView(r))], [], started, clock, StatusCodes.Status201Created);
        });

        batch.MapPost("/update", (string objectType, HttpRequest request, CrmData data, CrmWrites writes, RequestStats stats, IOptions<HubSpotOptions> options, TimeProvider clock, CancellationToken ct) =>
            WriteEachAsync(objectType, upsert: false, request, data, writes, stats, options, clock, ct));

        batch.MapPost("/upsert", (string objectType, HttpRequest request, CrmData data, CrmWrites writes, RequestStats stats, IOptions<HubSpotOptions> options, TimeProvider clock, CancellationToken ct) =>
            WriteEachAsync(objectType, upsert: true, request, data, writes, stats, options, clock, ct));

        batch.MapPost("/read", async (string objectType, HttpRequest request, CrmData data, RequestStats stats, TimeProvider clock, CancellationToken ct) =>
        {
            var started = clock.GetUtcNow();
            var (type, body, inputs, error) = await ReadAsync(objectType, "batch/read", request, data, stats, ct);
            if (error is not null)
                return error.ToResult();
            var idProperty = HubSpotRequests.Text(body, "idProperty");
            if (idProperty is not null && !(type!.Properties.TryGetValue(idProperty, out var definition) && definition.Unique))
                return HubSpotError.Validation($"{idProperty} is not a unique property of {type.Name}; read by a unique property or by record id.").ToResult();
            var ids = inputs!.Select(i => HubSpotRequests.Text(i, "id")).ToList();
            var archived = HubSpotRequests.Flag(request, "archived");
            var found = data.Store(type!).Locked(w => ids.Select(id => archived
                ? CrmWrites.ParseId(id) is { } n ? w.Archived(n) : null
                : CrmWrites.Find(w, type!, idProperty is null || id is null ? id : CrmWrites.NormalizeKey(type!, idProperty, id), idProperty)).ToList());
            var properties = HubSpotRequests.Strings(body, "properties");
            var results = found.OfType<CrmRecord>().DistinctBy(r => r.Id).Select(r => (object)HubSpotJson.View(type!, r, properties)).ToList();
            var missing = ids.Where((_, i) => found[i] is null).Select(id => CrmWrites.NotFound(type!, id)).ToList();
            return HubSpotRequests.BatchResult(results, HubSpotRequests.Grouped(missing), started, clock, StatusCodes.Status200OK);
        });

        batch.MapPost("/archive", async (string objectType, HttpRequest request, CrmData data, CrmWrites writes, RequestStats stats, IOptions<HubSpotOptions> options, CancellationToken ct) =>
        {
            var (type, _, inputs, error) = await ReadAsync(objectType, "batch/archive", request, data, stats, ct);
            if (error is not null)
                return error.ToResult();
            writes.Archive(type!, inputs!.Select(i => HubSpotRequests.Text(i, "id") ?? "").ToList(), ObjectEndpoints.Integration(options));
            return Results.NoContent();
        });
    }

    // Update and upsert differ in whether idProperty is required and in what they do per input.
    private static async Task<IResult> WriteEachAsync(
        string objectType, bool upsert, HttpRequest request, CrmData data, CrmWrites writes, RequestStats stats,
        IOptions<HubSpotOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var started = clock.GetUtcNow();
        var (type, _, inputs, error) = await ReadAsync(objectType, upsert ? "batch/upsert" : "batch/update", request, data, stats, ct);
        if (error is not null)
            return error.ToResult();
        var parsed = ParseAll(type!, inputs!, writes, out var invalid);
        if ((invalid ?? CheckKeys(type!, parsed, options.Value.PortalId, required: upsert)) is { } refused)
            return refused.ToResult();
        var source = ObjectEndpoints.Integration(options);
        var outcomes = upsert ? writes.Upsert(type!, parsed, source) : writes.Update(type!, parsed, source);
        return Answer(outcomes, upsert, started, clock);
    }

    private static async Task<(ObjectType? Type, JsonElement Body, List<JsonElement>? Inputs, HubSpotError? Error)> ReadAsync(
        string objectType, string operation, HttpRequest request, CrmData data, RequestStats stats, CancellationToken ct)
    {
        var (type, unknown) = HubSpotRequests.Type(data.Types, objectType);
        if (type is null)
            return (null, default, null, unknown);
        stats.Request(type, operation);
        var (body, invalid) = await HubSpotRequests.ReadJsonAsync(request, ct);
        if (invalid is not null)
            return (null, default, null, invalid);
        var (inputs, refused) = HubSpotRequests.Inputs(body);
        return (type, body, inputs, refused);
    }

    /// <summary>Every input's properties; any invalid property fails the whole batch (HubSpot validates before writing).</summary>
    private static List<WriteInput> ParseAll(ObjectType type, List<JsonElement> inputs, CrmWrites writes, out HubSpotError? invalid)
    {
        var errors = new List<PropertyError>();
        var parsed = inputs.Select(i =>
        {
            var idProperty = HubSpotRequests.Text(i, "idProperty");
            var id = HubSpotRequests.Text(i, "id");
            return new WriteInput(
                idProperty is not null && id is not null ? CrmWrites.NormalizeKey(type, idProperty, id) : id,
                idProperty,
                writes.ParseProperties(type, HubSpotRequests.Member(i, "properties"), errors));
        }).ToList();
        invalid = errors.Count > 0 ? HubSpotError.InvalidProperties(errors) : null;
        return parsed;
    }

    private static HubSpotError? CheckKeys(ObjectType type, List<WriteInput> inputs, long portalId, bool required)
    {
        foreach (var input in inputs)
        {
            if (input.Id is null)
                return HubSpotError.Validation("Every input needs an \"id\".");
            if (input.IdProperty is null && required)
                return HubSpotError.Validation("Every upsert input needs an \"idProperty\": the unique property \"id\" is a value of.");
            if (input.IdProperty is { } idProperty && HubSpotRequests.CheckIdProperty(type, idProperty, portalId) is { } notUnique)
                return notUnique;
        }

        return HubSpotRequests.CheckDuplicates(inputs.Select(i => i.Id));
    }

    private static IResult Answer(List<InputOutcome> outcomes, bool isUpsert, DateTimeOffset started, TimeProvider clock)
    {
        var results = outcomes.Where(o => o.Record is not null)
            .Select(o => (object)HubSpotJson.WrittenView(o.Record!, isUpsert ? o.Created : null)).ToList();
        var errors = outcomes.Select(o => o.Error).OfType<HubSpotError>().ToList();
        var grouped = HubSpotRequests.Grouped(errors.Where(e => e.Category == "OBJECT_NOT_FOUND")).Concat(errors.Where(e => e.Category != "OBJECT_NOT_FOUND")).ToList();
        return HubSpotRequests.BatchResult(results, grouped, started, clock, StatusCodes.Status200OK);
    }
}
