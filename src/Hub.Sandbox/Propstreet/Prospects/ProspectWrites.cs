using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hub.Sandbox.Propstreet.Storage;
using Hub.Sandbox.Propstreet.Webhooks;

namespace Hub.Sandbox.Propstreet.Prospects;

/// <summary>
/// Prospect writes. Adding one or many goes through <see cref="Add"/>: every item is validated on its own and
/// against the rest of the batch before anything is created, all under the prospect store's lock.
/// </summary>
public sealed class ProspectWrites(PropstreetData data, WebhookPublisher webhooks)
{
    public static readonly HashSet<string> Classifications = ["not_contacted", "contacted", "interested", "not_interested", "bidder"];

    /// <summary>Adds prospects to a live project. Returns per item either the prospect or the failure.</summary>
    public List<(int Index, Prospect? Created, ProspectFailure? Failure)> Add(long projectId, IReadOnlyList<JsonNode?> items, string origin)
    {
        var parsed = items.Select((item, i) => Parse(i, item)).ToList();
        var results = data.Prospects.Write(w =>
        {
            var live = w.All.Where(p => p.ProjectId == projectId && p.DeletedUtc is null).ToList();
            var seenInvestors = new HashSet<(long?, long?)>();
            var seenRefs = new List<ExternalRef>();
            var output = new List<(int, Prospect?, ProspectFailure?)>();
            foreach (var (index, request, failure) in parsed)
            {
                var problem = failure ?? Check(index, request!, live, seenInvestors, seenRefs);
                if (problem is not null)
                {
                    output.Add((index, null, problem));
                    continue;
                }

                seenInvestors.Add((request!.ContactId, request.ContactId is null ? request.CompanyId : null));
                seenRefs.AddRange(request.Refs);
                output.Add((index, null, null));
            }

            // Everything validated: now create, in request order.
            for (var i = 0; i < output.Count; i++)
            {
                if (output[i].Item3 is not null)
                    continue;
                var request = parsed[i].Request!;
                var contact = request.ContactId is { } cid ? data.Contacts.Get(cid) : null;
                var companyId = request.CompanyId ?? contact?.PrimaryCompanyId;
                var tags = contact?.Tags ?? (companyId is { } co ? data.Companies.Get(co)?.Tags : null) ?? [];
                var stamp = w.NextStamp();
                var prospect = w.Put(new Prospect
                {
                    Id = w.NewId(),
                    ProjectId = projectId,
                    ContactId = request.ContactId,
                    CompanyId = companyId,
                    Tags = tags,
                    ExternalRefs = request.Refs,
                    CreatedUtc = stamp,
                    UpdatedUtc = stamp,
                    Version = w.NextVersion(),
                    ChangeOrigin = origin,
                });
                output[i] = (output[i].Item1, prospect, null);
            }

            return output;
        });

        foreach (var (_, created, _) in results)
        {
            if (created is not null)
                Publish(new WriteResult<Prospect>(null, created, null, "created"));
        }

        return results;
    }

    /// <summary>
    /// A prospect's tags are its investor's ("Tags from the associated contact or company"): after a contact's or
    /// company's tags change, its live prospects take them over, with a new updatedUtc and etag and a
    /// <c>prospect.updated</c> carrying the investor write's changeOrigin (it is an echo of that write). A contact
    /// prospect follows the contact; a company-only prospect follows the company.
    /// </summary>
    public void FollowInvestorTags(long? contactId, long? companyId, string origin)
    {
        var changed = data.Prospects.Write(w =>
        {
            var tags = contactId is { } cid ? data.Contacts.Get(cid)?.Tags : companyId is { } coid ? data.Companies.Get(coid)?.Tags : null;
            var result = new List<WriteResult<Prospect>>();
            if (tags is null)
                return result;
            var followers = w.All
                .Where(p => p.DeletedUtc is null && (contactId is not null ? p.ContactId == contactId : p.ContactId is null && p.CompanyId == companyId))
                .Where(p => !p.Tags.SequenceEqual(tags))
                .ToList();
            foreach (var current in followers)
            {
                var next = w.Put(current with { Tags = tags, UpdatedUtc = w.NextStamp(), Version = w.NextVersion(), ChangeOrigin = origin });
                result.Add(new WriteResult<Prospect>(current, next, null));
            }

            return result;
        });
        foreach (var result in changed)
            Publish(result);
    }

    /// <summary>
    /// Deleting a project removes its live prospects: each is soft-deleted (deletedUtc = updatedUtc, a new etag)
    /// and announced with <c>prospect.deleted</c>, so a client syncing prospects by delta or webhook removes them.
    /// </summary>
    public void DeleteAllOf(long projectId, string origin)
    {
        var deleted = data.Prospects.Write(w =>
        {
            var result = new List<WriteResult<Prospect>>();
            foreach (var current in w.All.Where(p => p.ProjectId == projectId && p.DeletedUtc is null).OrderBy(p => p.Id).ToList())
            {
                var stamp = w.NextStamp();
                var next = w.Put(current with { UpdatedUtc = stamp, DeletedUtc = stamp, Version = w.NextVersion(), ChangeOrigin = origin });
                result.Add(new WriteResult<Prospect>(current, next, null, "deleted"));
            }

            return result;
        });
        foreach (var result in deleted)
            Publish(result);
    }

    public WriteResult<Prospect> Update(long projectId, long id, Func<Prospect, Prospect> change, IReadOnlyList<ExternalRef>? refs, string? ifMatch, string origin)
    {
        var result = data.Prospects.Write(w =>
        {
            if (w.Get(id) is not { DeletedUtc: null } current || current.ProjectId != projectId)
                return WriteResults.Fail<Prospect>(Problems.NotFound($"Prospect {id} does not exist in project {projectId}."));
            if (!ETags.Matches(ifMatch, current.Etag))
                return WriteResults.Fail<Prospect>(Problems.PreconditionFailed());
            if (refs is { Count: > 0 }
                && w.All.FirstOrDefault(p => p.ProjectId == projectId && p.Id != id && p.DeletedUtc is null && p.ExternalRefs.Any(r => refs.Any(r.SameAs))) is { } clash)
            {
                return WriteResults.Fail<Prospect>(Problems.Create(409, "external-ref-conflict", "External reference already in use",
                    $"Prospect external refs must be unique within a project; prospect {clash.Id} already has this reference."));
            }

            var next = w.Put(change(current) with { UpdatedUtc = w.NextStamp(), Version = w.NextVersion(), ChangeOrigin = origin });
            return new WriteResult<Prospect>(current, next, null);
        });
        Publish(result);
        return result;
    }

    public WriteResult<Prospect> Delete(long projectId, long id, string? ifMatch, string origin)
    {
        var result = data.Prospects.Write(w =>
        {
            if (w.Get(id) is not { DeletedUtc: null } current || current.ProjectId != projectId)
                return WriteResults.Fail<Prospect>(Problems.NotFound($"Prospect {id} does not exist in project {projectId}."));
            if (!ETags.Matches(ifMatch, current.Etag))
                return WriteResults.Fail<Prospect>(Problems.PreconditionFailed());
            var stamp = w.NextStamp();
            var next = w.Put(current with { UpdatedUtc = stamp, DeletedUtc = stamp, Version = w.NextVersion(), ChangeOrigin = origin });
            return new WriteResult<Prospect>(current, next, null, "deleted");
        });
        Publish(result);
        return result;
    }

    private ProspectFailure? Check(int index, ProspectRequest request, List<Prospect> live, HashSet<(long?, long?)> seenInvestors, List<ExternalRef> seenRefs)
    {
        var contactId = request.ContactId?.ToString(CultureInfo.InvariantCulture);
        var companyId = request.CompanyId?.ToString(CultureInfo.InvariantCulture);
        ProspectFailure Fail(string code, string message, int status) => new(index, contactId, companyId, code, message, status);

        if (request.ContactId is { } cid && data.Contacts.Get(cid) is not { DeletedUtc: null })
            return Fail("not_added", $"Contact {cid} not found", 400);
        if (request.CompanyId is { } coid && data.Companies.Get(coid) is not { DeletedUtc: null })
            return Fail("not_added", $"Company {coid} not found", 400);
        var investorKey = (request.ContactId, request.ContactId is null ? request.CompanyId : null);
        if (seenInvestors.Contains(investorKey) || request.Refs.Any(r => seenRefs.Any(r.SameAs)))
            return Fail("duplicate", "Duplicate entry in batch request", 409);
        var exists = request.ContactId is { } c
            ? live.Any(p => p.ContactId == c)
            : live.Any(p => p.ContactId is null && p.CompanyId == request.CompanyId);
        if (exists)
            return Fail("not_added", $"{(request.ContactId is null ? "Company" : "Contact")} already exists as prospect in this project", 409);
        if (live.FirstOrDefault(p => p.ExternalRefs.Any(r => request.Refs.Any(r.SameAs))) is { } clash)
            return Fail("not_added", $"External ref already used by prospect {clash.Id} in this project", 409);
        return null;
    }

    private static (int Index, ProspectRequest? Request, ProspectFailure? Failure) Parse(int index, JsonNode? node)
    {
        ProspectFailure Fail(string code, string message, string? contactId = null, string? companyId = null) =>
            new(index, contactId, companyId, code, message, 400);

        if (node is not JsonObject item)
            return (index, null, Fail("validation_error", "Each item must be an object with contactId or companyId"));
        var contactText = IdText(item["contactId"]);
        var companyText = IdText(item["companyId"]);
        if ((contactText is null) == (companyText is null))
            return (index, null, Fail("validation_error", "Provide exactly one of contactId or companyId", contactText, companyText));
        var text = contactText ?? companyText!;
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id <= 0)
            return (index, null, Fail("invalid_id", $"'{text}' is not a valid id", contactText, companyText));

        IReadOnlyList<ExternalRef> refs = [];
        if (item.TryGetPropertyValue("externalRefs", out var refsNode) && ExternalRef.FromJson(refsNode, out refs) is { } refError)
            return (index, null, Fail("validation_error", refError, contactText, companyText));

        return (index, new ProspectRequest(contactText is null ? null : id, companyText is null ? null : id, refs), null);
    }

    private static string? IdText(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString(),
        _ => node.ToJsonString(),
    };

    private void Publish(WriteResult<Prospect> result)
    {
        if (result.After is not { } after)
            return;
        var changed = result.Action == "deleted" ? ["deletedUtc"] : ChangedFields.Between(result.Before, after, PropstreetJson.OmitNulls);
        webhooks.Publish($"prospect.{result.Action}", after, PropstreetJson.OmitNulls, after.ChangeOrigin, changed, after.ExternalRefs);
    }
}

public sealed record ProspectRequest(long? ContactId, long? CompanyId, IReadOnlyList<ExternalRef> Refs);

/// <summary>A prospect that was not added: the batch error code, and the status a single add answers with.</summary>
public sealed record ProspectFailure(int Index, string? ContactId, string? CompanyId, string Error, string Message, int Status);
