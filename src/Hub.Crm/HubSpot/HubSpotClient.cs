using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Hub.Crm.HubSpot;

/// <summary>
/// The typed client of one HubSpot connection (<c>HubSpot:Connections:{name}</c>), at HubSpot's own paths. Writes
/// go in batches of at most 100 and answer per input; every write it offers is idempotent (upsert by a unique
/// property, archive, association writes) and so retried after a timeout or 5xx, except <see cref="CreateAsync"/>.
/// Reads throw <see cref="HubSpotException"/> with the typed error. Every request is counted against the token's
/// shared burst budget. <c>listings</c> means the configured <see cref="HubSpotConnection.ListingsObjectType"/>.
/// </summary>
public sealed class HubSpotClient
{
    /// <summary>HubSpot's batch size and list page size.</summary>
    public const int BatchSize = 100;

    private readonly HubSpotSender _sender;

    internal HubSpotClient(HubSpotSender sender) => _sender = sender;

    public string Name => _sender.Connection.Name;

    /// <summary>Whether the hub syncs this portal both ways (<see cref="HubSpotConnection.TwoWay"/>).</summary>
    public bool TwoWay => _sender.Connection.TwoWay;

    /// <summary>
    /// Creates or updates each input by the unique <paramref name="idProperty"/> (e.g. <c>propstreet_id</c>), in
    /// batches of 100. Sent again after a timeout HubSpot did apply, it updates the same record: no duplicate. One
    /// result per input, in input order, keyed by <see cref="HubSpotUpsert.IdValue"/>; a 207 fails only the inputs
    /// it names.
    /// </summary>
    public async Task<HubSpotBatchResult> UpsertAsync(string objectType, string idProperty, IReadOnlyList<HubSpotUpsert> inputs, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(idProperty);
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.GroupBy(i => i.IdValue, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
            throw new ArgumentException($"{idProperty} '{duplicate.Key}' appears more than once; HubSpot refuses a batch that names a record twice.", nameof(inputs));

        return new HubSpotBatchResult(await InBatchesAsync(inputs, async (batch, ct) =>
        {
            var body = new
            {
                inputs = batch.Select(i => new
                {
                    id = i.IdValue,
                    idProperty,
                    // The id property is written too, so it is set on create and comes back to match results by.
                    properties = new Dictionary<string, string?>(i.Properties) { [idProperty] = i.IdValue },
                }),
            };
            var reply = await _sender.SendAsync(HttpMethod.Post, $"/crm/v3/objects/{Type(objectType)}/batch/upsert", body, idempotent: true, ct);
            return HubSpotBatchReplies.Upserted([.. batch.Select(i => i.IdValue)], idProperty, reply);
        }, cancellationToken));
    }

    /// <summary>
    /// Updates records by HubSpot id (<c>batch/update</c>), in batches of 100: for records that have no unique property
    /// value yet (a contact created in HubSpot that the hub links to Propstreet). Idempotent, so retried like an upsert.
    /// One result per input, keyed by id.
    /// </summary>
    public async Task<HubSpotBatchResult> UpdateAsync(string objectType, IReadOnlyList<HubSpotUpdate> inputs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return new HubSpotBatchResult(await InBatchesAsync(inputs, async (batch, ct) =>
        {
            var body = new { inputs = batch.Select(i => new { id = i.HubSpotId, properties = i.Properties }) };
            var reply = await _sender.SendAsync(HttpMethod.Post, $"/crm/v3/objects/{Type(objectType)}/batch/update", body, idempotent: true, ct);
            return HubSpotBatchReplies.Updated([.. batch.Select(i => i.HubSpotId)], reply);
        }, cancellationToken));
    }

    /// <summary>
    /// Creates one record (<c>POST /crm/v3/objects/{type}</c>) for objects without a unique property to upsert by.
    /// Not idempotent, so never retried after a timeout or 5xx: such a failure is <see cref="HubSpotErrorCategory.OutcomeUnknown"/>.
    /// </summary>
    public async Task<HubSpotRecordResult> CreateAsync(string objectType, IReadOnlyDictionary<string, string?> properties, CancellationToken cancellationToken = default)
    {
        var reply = await _sender.SendAsync(HttpMethod.Post, $"/crm/v3/objects/{Type(objectType)}", new { properties }, idempotent: false, cancellationToken);
        if (reply.Error is { } error)
            return HubSpotRecordResult.Failed("", error);
        var created = HubSpotBatchReplies.Object(reply.Body!.Value);
        return new HubSpotRecordResult("", created.Id, true, created.Properties, null);
    }

    /// <summary>Archives records by HubSpot id, in batches of 100 (HubSpot keeps them restorable for 90 days). Keyed by id.</summary>
    public async Task<HubSpotBatchResult> ArchiveAsync(string objectType, IReadOnlyList<string> hubSpotIds, CancellationToken cancellationToken = default)
    {
        return new HubSpotBatchResult(await InBatchesAsync(hubSpotIds, async (batch, ct) =>
        {
            var reply = await _sender.SendAsync(HttpMethod.Post, $"/crm/v3/objects/{Type(objectType)}/batch/archive",
                new { inputs = batch.Select(id => new { id }) }, idempotent: true, ct);
            return batch.Select(id => reply.Error is { } error ? HubSpotRecordResult.Failed(id, error) : new HubSpotRecordResult(id, id, false, null, null));
        }, cancellationToken));
    }

    /// <summary>
    /// Associates pairs with their explicit type (v4 <c>batch/create</c>), in batches of 100. Associating a pair
    /// that already is associated changes nothing, so this is retried like an upsert. One result per pair.
    /// </summary>
    public async Task<IReadOnlyList<HubSpotAssociationResult>> AssociateAsync(string fromType, string toType, IReadOnlyList<HubSpotAssociation> pairs, CancellationToken cancellationToken = default)
    {
        return await InBatchesAsync(pairs, async (batch, ct) =>
        {
            var body = new
            {
                inputs = batch.Select(p => new
                {
                    from = new { id = p.FromId },
                    to = new { id = p.ToId },
                    types = new[] { new { associationCategory = p.Category, associationTypeId = p.TypeId } },
                }),
            };
            var reply = await _sender.SendAsync(HttpMethod.Post, $"/crm/v4/associations/{Type(fromType)}/{Type(toType)}/batch/create", body, idempotent: true, ct);
            return HubSpotBatchReplies.Associated(batch, reply);
        }, cancellationToken);
    }

    /// <summary>Removes every association between each pair (v4 <c>batch/archive</c>; the pair's type is not consulted), in batches of 100.</summary>
    public async Task<IReadOnlyList<HubSpotAssociationResult>> ArchiveAssociationsAsync(string fromType, string toType, IReadOnlyList<HubSpotAssociation> pairs, CancellationToken cancellationToken = default)
    {
        return await InBatchesAsync(pairs, async (batch, ct) =>
        {
            var body = new
            {
                inputs = batch.GroupBy(p => p.FromId).Select(g => new { from = new { id = g.Key }, to = g.Select(p => new { id = p.ToId }).Distinct() }),
            };
            var reply = await _sender.SendAsync(HttpMethod.Post, $"/crm/v4/associations/{Type(fromType)}/{Type(toType)}/batch/archive", body, idempotent: true, ct);
            return batch.Select(p => new HubSpotAssociationResult(p, reply.Error));
        }, cancellationToken);
    }

    /// <summary>
    /// The associations of each record in <paramref name="fromIds"/> to <paramref name="toType"/> (v4 <c>batch/read</c>),
    /// one entry per pair and type. Records without associations contribute nothing.
    /// </summary>
    public async Task<IReadOnlyList<HubSpotAssociation>> ListAssociationsAsync(string fromType, string toType, IReadOnlyList<string> fromIds, CancellationToken cancellationToken = default)
    {
        var associations = new List<HubSpotAssociation>();
        var pending = fromIds.Distinct().Select(id => (Id: id, After: (string?)null)).ToList();
        while (pending.Count > 0)
        {
            var batch = pending.Take(BatchSize).ToList();
            pending.RemoveRange(0, batch.Count);
            var reply = await _sender.SendAsync(HttpMethod.Post, $"/crm/v4/associations/{Type(fromType)}/{Type(toType)}/batch/read",
                new { inputs = batch.Select(i => new { id = i.Id, after = i.After }) }, idempotent: true, cancellationToken);
            var body = Read(reply);
            foreach (var result in HubSpotBatchReplies.Array(body, "results"))
            {
                // v4 answers "from": {"id": "…"}; the object's id is inside.
                var fromElement = result.GetProperty("from");
                var from = HubSpotBatchReplies.Id(fromElement.ValueKind == JsonValueKind.Object ? fromElement.GetProperty("id") : fromElement);
                foreach (var to in HubSpotBatchReplies.Array(result, "to"))
                {
                    var toId = HubSpotBatchReplies.Id(to.TryGetProperty("toObjectId", out var t) ? t : to.GetProperty("id"));
                    foreach (var type in HubSpotBatchReplies.Array(to, "associationTypes"))
                    {
                        associations.Add(new HubSpotAssociation(from, toId, type.GetProperty("typeId").GetInt32(),
                            HubSpotError.Text(type, "category") ?? HubSpotAssociation.HubSpotDefined, HubSpotError.Text(type, "label")));
                    }
                }

                if (HubSpotBatchReplies.NextAfter(result) is { } after)
                    pending.Add((from, after));
            }
        }

        return associations;
    }

    /// <summary>
    /// Every record of the type, 100 per request following <c>after</c>. <paramref name="archived"/> as in HubSpot:
    /// true lists only archived records (with <see cref="HubSpotObject.ArchivedAt"/>), false only live ones.
    /// </summary>
    public async IAsyncEnumerable<HubSpotObject> ListAsync(string objectType, IReadOnlyList<string> properties, bool archived = false, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? after = null;
        do
        {
            var query = $"/crm/v3/objects/{Type(objectType)}?limit={BatchSize}&archived={(archived ? "true" : "false")}"
                + (properties.Count > 0 ? "&properties=" + Uri.EscapeDataString(string.Join(',', properties)) : "")
                + (after is null ? "" : "&after=" + Uri.EscapeDataString(after));
            var body = Read(await _sender.SendAsync(HttpMethod.Get, query, null, idempotent: true, cancellationToken));
            foreach (var record in HubSpotBatchReplies.Array(body, "results"))
                yield return HubSpotBatchReplies.Object(record);
            after = HubSpotBatchReplies.NextAfter(body);
        }
        while (after is not null);
    }

    /// <summary>
    /// One page of a search. Eventually consistent: a write shows up after a few seconds. Searches also share the
    /// token's search budget (<see cref="HubSpotConnection.SearchLimitPerSecond"/>) across processes.
    /// </summary>
    public async Task<HubSpotSearchPage> SearchAsync(string objectType, HubSpotSearch search, CancellationToken cancellationToken = default)
    {
        var body = new
        {
            filterGroups = search.FilterGroups.Select(g => new
            {
                filters = g.Filters.Select(f => new { propertyName = f.PropertyName, @operator = f.Operator, value = f.Value, values = f.Values, highValue = f.HighValue }),
            }),
            sorts = (search.Sorts ?? []).Select(s => new { propertyName = s.PropertyName, direction = s.Descending ? "DESCENDING" : "ASCENDING" }),
            properties = search.Properties,
            limit = search.Limit,
            after = search.After,
        };
        var page = Read(await _sender.SendAsync(HttpMethod.Post, $"/crm/v3/objects/{Type(objectType)}/search", body, idempotent: true, cancellationToken, search: true));
        return new HubSpotSearchPage(
            [.. HubSpotBatchReplies.Array(page, "results").Select(HubSpotBatchReplies.Object)],
            page.TryGetProperty("total", out var total) && total.ValueKind == JsonValueKind.Number ? total.GetInt64() : 0,
            HubSpotBatchReplies.NextAfter(page));
    }

    /// <summary>
    /// Reads records by HubSpot id, or by the unique <paramref name="idProperty"/> when given, in batches of 100.
    /// Records HubSpot does not have are left out.
    /// </summary>
    public async Task<IReadOnlyList<HubSpotObject>> ReadAsync(string objectType, string? idProperty, IReadOnlyList<string> ids, IReadOnlyList<string> properties, CancellationToken cancellationToken = default)
    {
        return await InBatchesAsync(ids, async (batch, ct) =>
        {
            var reply = await _sender.SendAsync(HttpMethod.Post, $"/crm/v3/objects/{Type(objectType)}/batch/read",
                new { inputs = batch.Select(id => new { id }), properties, idProperty }, idempotent: true, ct);
            return HubSpotBatchReplies.Array(Read(reply), "results").Select(HubSpotBatchReplies.Object);
        }, cancellationToken);
    }

    /// <summary>
    /// The association types between two object types (v4 <c>labels</c>): HubSpot's own and the portal's user-defined
    /// labels, with their type ids, which differ per portal.
    /// </summary>
    public async Task<IReadOnlyList<HubSpotAssociationLabel>> GetAssociationLabelsAsync(string fromType, string toType, CancellationToken cancellationToken = default)
    {
        var body = Read(await _sender.SendAsync(HttpMethod.Get, $"/crm/v4/associations/{Type(fromType)}/{Type(toType)}/labels", null, idempotent: true, cancellationToken));
        return [.. HubSpotBatchReplies.Array(body, "results").Select(t => new HubSpotAssociationLabel(
            t.GetProperty("typeId").GetInt32(), HubSpotError.Text(t, "category") ?? HubSpotAssociation.HubSpotDefined, HubSpotError.Text(t, "label")))];
    }

    /// <summary>Every owner (active ones; HubSpot lists archived owners only when asked, which the hub does not need).</summary>
    public async Task<IReadOnlyList<HubSpotOwner>> GetOwnersAsync(CancellationToken cancellationToken = default)
    {
        var owners = new List<HubSpotOwner>();
        string? after = null;
        do
        {
            var body = Read(await _sender.SendAsync(HttpMethod.Get,
                $"/crm/v3/owners?limit={BatchSize}" + (after is null ? "" : "&after=" + Uri.EscapeDataString(after)), null, idempotent: true, cancellationToken));
            foreach (var owner in HubSpotBatchReplies.Array(body, "results"))
            {
                owners.Add(new HubSpotOwner(
                    HubSpotBatchReplies.Id(owner.GetProperty("id")),
                    HubSpotError.Text(owner, "email"),
                    HubSpotError.Text(owner, "firstName"),
                    HubSpotError.Text(owner, "lastName"),
                    long.TryParse(HubSpotError.Text(owner, "userId"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var userId) ? userId : null,
                    owner.TryGetProperty("archived", out var archived) && archived.ValueKind == JsonValueKind.True));
            }

            after = HubSpotBatchReplies.NextAfter(body);
        }
        while (after is not null);
        return owners;
    }

    private string Type(string objectType)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(objectType);
        return Uri.EscapeDataString(objectType == "listings" ? _sender.Connection.ListingsObjectType : objectType);
    }

    /// <summary>
    /// Sends <paramref name="inputs"/> in batches of <see cref="BatchSize"/>, up to
    /// <see cref="HubSpotConnection.ConcurrentBatches"/> at once, and answers in input order. One at a time, a call
    /// takes the sum of its round trips: at HubSpot's few hundred milliseconds per batch request that holds a connection
    /// far below its burst budget. Every attempt still takes from that budget, so more at once never means more than it.
    /// </summary>
    private async Task<List<TResult>> InBatchesAsync<TInput, TResult>(
        IReadOnlyList<TInput> inputs, Func<TInput[], CancellationToken, Task<IEnumerable<TResult>>> send, CancellationToken cancellationToken)
    {
        var batches = inputs.Chunk(BatchSize).ToArray();
        if (batches.Length <= 1)
            return batches.Length == 0 ? [] : [.. await send(batches[0], cancellationToken)];

        var results = new List<TResult>[batches.Length];
        await Parallel.ForEachAsync(Enumerable.Range(0, batches.Length),
            new ParallelOptions { MaxDegreeOfParallelism = _sender.Connection.ConcurrentBatches, CancellationToken = cancellationToken },
            async (index, ct) => results[index] = [.. await send(batches[index], ct)]);
        return [.. results.SelectMany(r => r)];
    }

    // A read answers 200, or 207 when some of the inputs were not found (those are left out).
    private static JsonElement Read(HubSpotReply reply) =>
        reply.Error is { } error ? throw new HubSpotException(error)
        : reply.Body ?? throw new HubSpotException(new HubSpotError(HubSpotErrorCategory.Server, $"HubSpot answered {(int)reply.Status} without a body.", true, (int)reply.Status));
}
