using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static Hub.Projections.Propstreet.PropstreetWriteResult;

namespace Hub.Projections.Propstreet;

/// <summary>
/// Writes to one Propstreet account (<see cref="PropstreetConnection"/>): contacts by external reference, projects
/// and prospects by id with If-Match, creates with an Idempotency-Key. Every request takes from the token's budget
/// shared with Ingest's polling, and may be sent again after a 429, 5xx or timeout without writing twice (ADR 0024).
/// Outcomes are typed results, never exceptions: see <see cref="PropstreetWriteResult"/>.
/// </summary>
public sealed class PropstreetWriter
{
    private const string Contacts = "api/v1/network/contacts";
    private const string Projects = "api/v1/projects";

    private readonly PropstreetSender _sender;
    private string? _changeOrigin;

    internal PropstreetWriter(PropstreetSender sender) => _sender = sender;

    /// <summary>The connection's name (<c>Propstreet:Connections:{name}</c>).</summary>
    public string ConnectionName => _sender.Connection.Name;

    /// <summary>
    /// The <c>changeOrigin</c> Propstreet stamps on this token's writes, learned from the first answer that proves a
    /// write of the hub changed a record (a create, a revive, or a new ETag after If-Match); null until then. A record
    /// observed with this origin is an echo of the hub's own write. Held in memory only: every process learns it anew.
    /// </summary>
    public string? ChangeOrigin => Volatile.Read(ref _changeOrigin);

    /// <summary>
    /// <c>PATCH /api/v1/network/contacts/external/{namespace}/{externalId}</c>: creates or updates the contact holding
    /// the reference (a deleted one is revived when <paramref name="revive"/>; with <paramref name="matchEmail"/> a live
    /// contact with the email gets the reference). <paramref name="createOnly"/> is Propstreet's <c>create_only</c>,
    /// which per its docs means "only update existing contacts": none found is <see cref="NotFound"/>. With
    /// <paramref name="ifMatch"/>, a contact changed since (or none at all) is <see cref="PreconditionFailed"/>.
    /// A value over a documented limit is <see cref="Invalid"/> naming the field, and nothing is sent.
    /// </summary>
    public async Task<PropstreetWriteResult> UpsertContactByExternalRefAsync(
        string @namespace, string externalId, ContactChanges changes, string? ifMatch = null,
        bool matchEmail = true, bool revive = true, bool createOnly = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var (body, invalid) = changes.ToBody();
        if (invalid is not null)
            return invalid;
        var query = $"revive={Flag(revive)}&create_only={Flag(createOnly)}" + (matchEmail ? "&match=email" : "");
        var reply = await _sender.SendAsync(
            new PropstreetRequest(HttpMethod.Patch, $"{Contacts}/external/{Segment(@namespace)}/{Segment(externalId)}?{query}", Bytes(body!), ifMatch),
            cancellationToken);
        return Learn(From(reply), ifMatch);
    }

    /// <summary>
    /// <c>PATCH /api/v1/network/contacts/{id}</c> with If-Match: the contact the hub already knows by id (one it pushed
    /// to HubSpot, linked there by <c>propstreet_id</c>). Its references are left alone: Propstreet refuses a write
    /// that lists a reference another contact holds, and stale references from earlier integrations are common.
    /// A contact changed since <paramref name="ifMatch"/> is <see cref="PreconditionFailed"/>.
    /// </summary>
    public async Task<PropstreetWriteResult> UpdateContactAsync(string id, ContactChanges changes, string? ifMatch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var (body, invalid) = changes.ToBody();
        if (invalid is not null)
            return invalid;
        var reply = await _sender.SendAsync(new PropstreetRequest(HttpMethod.Patch, $"{Contacts}/{Segment(id)}", Bytes(body!), ifMatch), cancellationToken);
        return Learn(From(reply), ifMatch);
    }

    /// <summary>The references a contact record holds.</summary>
    public static IReadOnlyList<PropstreetExternalRef> ExternalRefs(JsonElement contact) =>
        contact.ValueKind == JsonValueKind.Object && contact.TryGetProperty("externalRefs", out var list) && list.ValueKind == JsonValueKind.Array
            ? [.. list.EnumerateArray().Select(r => new PropstreetExternalRef(r.GetProperty("namespace").GetString() ?? "", r.GetProperty("id").GetString() ?? ""))]
            : [];

    /// <summary><c>GET /api/v1/network/contacts/{id}</c>; a deleted contact only with <paramref name="includeDeleted"/>.</summary>
    public async Task<PropstreetWriteResult> GetContactAsync(string id, bool includeDeleted = true, CancellationToken cancellationToken = default) =>
        From(await _sender.SendAsync(new PropstreetRequest(HttpMethod.Get, $"{Contacts}/{Segment(id)}?include_deleted={Flag(includeDeleted)}"), cancellationToken));

    /// <summary>
    /// <c>DELETE /api/v1/network/contacts/{id}</c> (soft), then the deleted contact as Propstreet now holds it
    /// (<see cref="Written"/> with <c>DeletedUtc</c>), to store as an observation. A repeat after an unanswered attempt
    /// that had deleted it answers 404; the deleted contact is returned all the same.
    /// </summary>
    public async Task<PropstreetWriteResult> DeleteContactAsync(string id, string? ifMatch = null, CancellationToken cancellationToken = default)
    {
        var reply = await _sender.SendAsync(new PropstreetRequest(HttpMethod.Delete, $"{Contacts}/{Segment(id)}", IfMatch: ifMatch), cancellationToken);
        var deleted = reply.Status is >= 200 and < 300;
        if (!deleted && !(reply.Status == 404 && reply.EarlierAttemptUnanswered))
            return From(reply);
        var current = await GetContactAsync(id, includeDeleted: true, cancellationToken);
        return deleted || current is Written { DeletedUtc: not null } ? current : From(reply);
    }

    /// <summary>
    /// Takes the reference <paramref name="namespace"/>/<paramref name="externalId"/> off a contact (read, then
    /// <c>PATCH /api/v1/network/contacts/{id}</c> with its other references and If-Match), so the reference can be
    /// upserted onto another contact — the documented way out of an upsert's 409 external-ref conflict (ADR 0024).
    /// A contact without the reference is answered as it is.
    /// </summary>
    public async Task<PropstreetWriteResult> RemoveContactExternalRefAsync(string contactId, string @namespace, string externalId, CancellationToken cancellationToken = default)
    {
        var read = await GetContactAsync(contactId, includeDeleted: false, cancellationToken);
        if (read is not Written current)
            return read;
        var refs = ExternalRefs(current.Record);
        var kept = refs.Where(r => !(string.Equals(r.Namespace, @namespace, StringComparison.OrdinalIgnoreCase) && r.Id == externalId)).ToList();
        if (kept.Count == refs.Count)
            return current;
        var body = new JsonObject { ["externalRefs"] = ProjectChanges.ExternalRefsJson(kept) };
        var reply = await _sender.SendAsync(new PropstreetRequest(HttpMethod.Patch, $"{Contacts}/{Segment(contactId)}", Bytes(body), current.ETag), cancellationToken);
        return Learn(From(reply), current.ETag);
    }

    /// <summary><c>GET /api/v1/projects/{id}</c>; a deleted project only with <paramref name="includeDeleted"/>.</summary>
    public async Task<PropstreetWriteResult> GetProjectAsync(string id, bool includeDeleted = true, CancellationToken cancellationToken = default) =>
        From(await _sender.SendAsync(new PropstreetRequest(HttpMethod.Get, $"{Projects}/{Segment(id)}?include_deleted={Flag(includeDeleted)}"), cancellationToken));

    /// <summary><c>GET /api/v1/projects/external/{namespace}/{externalId}</c>: the live project holding the reference.</summary>
    public async Task<PropstreetWriteResult> FindProjectByExternalRefAsync(string @namespace, string externalId, CancellationToken cancellationToken = default) =>
        From(await _sender.SendAsync(new PropstreetRequest(HttpMethod.Get, $"{Projects}/external/{Segment(@namespace)}/{Segment(externalId)}"), cancellationToken));

    /// <summary>
    /// <c>POST /api/v1/projects</c> with an Idempotency-Key derived from <paramref name="idempotencyKey"/> (the
    /// caller's stable name for this create, e.g. its decision's id): the same key creates one project however often
    /// the call is repeated, and a repeat answers the project first created. <see cref="ProjectChanges.Name"/> is required.
    /// </summary>
    public async Task<PropstreetWriteResult> CreateProjectAsync(ProjectChanges project, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(project);
        var (body, invalid) = project.ToBody(creating: true);
        return invalid ?? await CreateAsync(Projects, body!, idempotencyKey, cancellationToken);
    }

    /// <summary><c>PATCH /api/v1/projects/{id}</c> with If-Match (recommended: a project changed since is <see cref="PreconditionFailed"/>).</summary>
    public async Task<PropstreetWriteResult> UpdateProjectAsync(string id, ProjectChanges changes, string? ifMatch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var (body, invalid) = changes.ToBody(creating: false);
        if (invalid is not null)
            return invalid;
        var reply = await _sender.SendAsync(new PropstreetRequest(HttpMethod.Patch, $"{Projects}/{Segment(id)}", Bytes(body!), ifMatch), cancellationToken);
        return Learn(From(reply), ifMatch);
    }

    /// <summary><c>GET /api/v1/projects/{projectId}/prospects/{prospectId}</c>.</summary>
    public async Task<PropstreetWriteResult> GetProspectAsync(string projectId, string prospectId, bool includeDeleted = true, CancellationToken cancellationToken = default) =>
        From(await _sender.SendAsync(
            new PropstreetRequest(HttpMethod.Get, $"{Projects}/{Segment(projectId)}/prospects/{Segment(prospectId)}?include_deleted={Flag(includeDeleted)}"), cancellationToken));

    /// <summary>
    /// <c>POST /api/v1/projects/{projectId}/prospects</c> with an Idempotency-Key derived from
    /// <paramref name="idempotencyKey"/>; an investor already on the project is <see cref="Conflict"/> (<c>duplicate-prospect</c>).
    /// </summary>
    public async Task<PropstreetWriteResult> CreateProspectAsync(string projectId, NewProspect prospect, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prospect);
        var (body, invalid) = prospect.ToBody();
        return invalid ?? await CreateAsync($"{Projects}/{Segment(projectId)}/prospects", body!, idempotencyKey, cancellationToken);
    }

    /// <summary><c>PATCH /api/v1/projects/{projectId}/prospects/{prospectId}</c> with If-Match.</summary>
    public async Task<PropstreetWriteResult> UpdateProspectAsync(
        string projectId, string prospectId, ProspectChanges changes, string? ifMatch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var reply = await _sender.SendAsync(
            new PropstreetRequest(HttpMethod.Patch, $"{Projects}/{Segment(projectId)}/prospects/{Segment(prospectId)}", Bytes(changes.ToBody()), ifMatch),
            cancellationToken);
        return Learn(From(reply), ifMatch);
    }

    /// <summary>
    /// The Idempotency-Key sent for a create: a hash of the caller's key and the request's path, so a key reused for
    /// another kind of create is not refused as reused, any caller key fits Propstreet's length limit, and every
    /// process derives the same key for the same create.
    /// </summary>
    internal static string IdempotencyKeyFor(string path, string callerKey) =>
        "hub-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"POST {path}\n{callerKey}")))[..40];

    private async Task<PropstreetWriteResult> CreateAsync(string path, JsonObject body, string idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(idempotencyKey);
        var reply = await _sender.SendAsync(
            new PropstreetRequest(HttpMethod.Post, path, Bytes(body), IdempotencyKey: IdempotencyKeyFor(path, idempotencyKey)), cancellationToken);
        return Learn(From(reply) is Written written ? written with { Action = "created" } : From(reply), ifMatch: null);
    }

    // Only an answer that proves the hub's write changed the record names the hub's origin: a no-op upsert may answer
    // the contact untouched, stamped with whoever wrote it last.
    private PropstreetWriteResult Learn(PropstreetWriteResult result, string? ifMatch)
    {
        if (result is Written { ChangeOrigin: { Length: > 0 } origin } written
            && (written.Action is "created" or "revived" || (ifMatch is not null && ifMatch != "*" && written.ETag != ifMatch)))
            Volatile.Write(ref _changeOrigin, origin);
        return result;
    }

    // Serialised once: every attempt of a request sends the same bytes (an Idempotency-Key's fingerprint is the body).
    private static byte[] Bytes(JsonObject body) => Encoding.UTF8.GetBytes(body.ToJsonString());

    private static string Segment(string value) => Uri.EscapeDataString(value);

    private static string Flag(bool value) => value ? "true" : "false";
}
