using Hub.Sandbox.Propstreet.Access;
using Hub.Sandbox.Propstreet.Prospects;
using Hub.Sandbox.Propstreet.Storage;
using Hub.Sandbox.Propstreet.Webhooks;
using Microsoft.Extensions.Options;

namespace Hub.Sandbox.Propstreet.Contacts;

/// <summary>
/// Every contact write, for the API (stamped with the token's changeOrigin) and for the control endpoints
/// (stamped "ui"). Checks and the write happen under the store's lock; the webhook goes out after it.
/// </summary>
public sealed class ContactWrites(PropstreetData data, WebhookPublisher webhooks, ProspectWrites prospects, IOptions<PropstreetOptions> options)
{
    public WriteResult<Contact> Create(ContactInput input, string origin)
    {
        var result = data.Contacts.Write(w =>
        {
            if (RefConflict(w, input.ExternalRefs, exceptId: null) is { } conflict)
                return WriteResults.Fail<Contact>(conflict);
            var stamp = w.NextStamp();
            var blank = new Contact { Id = w.NewId(), CreatedUtc = stamp, UpdatedUtc = stamp };
            var created = w.Put(input.ApplyTo(blank) with { Version = w.NextVersion(), ChangeType = "created", ChangeOrigin = origin });
            return new WriteResult<Contact>(null, created, null, "created");
        });
        Publish(result);
        return result;
    }

    public WriteResult<Contact> Update(long id, ContactInput input, string? ifMatch, string origin)
    {
        var result = data.Contacts.Write(w =>
        {
            if (w.Get(id) is not { DeletedUtc: null } current)
                return WriteResults.Fail<Contact>(Problems.NotFound($"Contact {id} does not exist."));
            if (!ETags.Matches(ifMatch, current.Etag))
                return WriteResults.Fail<Contact>(Problems.PreconditionFailed());
            if (RefConflict(w, input.ExternalRefs, id) is { } conflict)
                return WriteResults.Fail<Contact>(conflict);
            var next = w.Put(input.ApplyTo(current) with
            {
                UpdatedUtc = w.NextStamp(), Version = w.NextVersion(), ChangeType = "updated", ChangeOrigin = origin,
            });
            return new WriteResult<Contact>(current, next, null);
        });
        Publish(result);
        return result;
    }

    public WriteResult<Contact> Delete(long id, string? ifMatch, string origin)
    {
        var result = data.Contacts.Write(w =>
        {
            if (w.Get(id) is not { DeletedUtc: null } current)
                return WriteResults.Fail<Contact>(Problems.NotFound($"Contact {id} does not exist."));
            if (!ETags.Matches(ifMatch, current.Etag))
                return WriteResults.Fail<Contact>(Problems.PreconditionFailed());
            var stamp = w.NextStamp();
            var next = w.Put(current with { UpdatedUtc = stamp, DeletedUtc = stamp, Version = w.NextVersion(), ChangeType = "deleted", ChangeOrigin = origin });
            return new WriteResult<Contact>(current, next, null, "deleted");
        });
        Publish(result);
        return result;
    }

    /// <summary>
    /// Upsert by external reference. Order of matching: a live contact with the ref; a deleted one with the ref
    /// (revived when <paramref name="revive"/>); with match=email a live contact with the same primary email (the
    /// ref is added to it); otherwise a new contact — unless <paramref name="createOnly"/>, which per the docs means
    /// "only update existing contacts, 404 if not found". If-Match, when given, must match the contact found.
    /// </summary>
    public WriteResult<Contact> Upsert(
        ExternalRef reference, ContactInput input, bool matchEmail, bool revive, bool createOnly, bool validateOnly, string? ifMatch, string origin)
    {
        var result = data.Contacts.Write(w =>
        {
            var withRef = w.All.Where(c => c.ExternalRefs.Any(r => r.SameAs(reference))).ToList();
            var live = withRef.FirstOrDefault(c => c.DeletedUtc is null);
            var deleted = withRef.Where(c => c.DeletedUtc is not null).MaxBy(c => c.DeletedUtc);
            Contact? target = null;
            var action = "created";
            if (live is not null)
            {
                (target, action) = (live, "updated");
            }
            else if (deleted is not null && revive)
            {
                (target, action) = (deleted, "revived");
            }
            else if (matchEmail && input.MatchEmail is { } email)
            {
                target = w.All.Where(c => c.DeletedUtc is null && c.Emails.Any(e => string.Equals(e.Address, email, StringComparison.OrdinalIgnoreCase)))
                    .MinBy(c => c.Id);
                action = target is null ? "created" : "updated";
                if (target?.ExternalRefs.FirstOrDefault(r => string.Equals(r.Namespace, reference.Namespace, StringComparison.OrdinalIgnoreCase)) is { } held
                    && !options.Value.MatchEmailReplacesRef)
                {
                    return WriteResults.Fail<Contact>(Problems.Create(409, "external-ref-conflict", "External reference already in use",
                        $"Contact {target.Id} has the email but already links {held.Namespace}/{held.Id}; upsert that reference, or remove it first."));
                }
            }

            if (target is null && createOnly)
                return WriteResults.Fail<Contact>(Problems.NotFound($"No contact with external ref {reference.Namespace}/{reference.Id} (create_only=true)."));
            if (ifMatch is not null && (target is null || !ETags.Matches(ifMatch, target.Etag)))
                return WriteResults.Fail<Contact>(Problems.PreconditionFailed());

            var stamp = w.NextStamp();
            var baseline = target ?? new Contact { Id = validateOnly ? 0 : w.NewId(), CreatedUtc = stamp, UpdatedUtc = stamp };
            var refs = baseline.ExternalRefs.Any(r => r.SameAs(reference))
                ? baseline.ExternalRefs
                : baseline.ExternalRefs.Where(r => !string.Equals(r.Namespace, reference.Namespace, StringComparison.OrdinalIgnoreCase)).Append(reference).ToList();
            var next = input.ApplyTo(baseline) with
            {
                ExternalRefs = refs,
                UpdatedUtc = stamp,
                DeletedUtc = null,
                ChangeType = action,
                ChangeOrigin = origin,
                Version = validateOnly ? baseline.Version : w.NextVersion(),
            };
            if (validateOnly)
                return new WriteResult<Contact>(target, next, null, action);
            // After == Before marks "nothing written": no new stamp, etag or event (NoOpUpsertTouches=false).
            if (target is { DeletedUtc: null } && !options.Value.NoOpUpsertTouches && ChangedFields.Between(target, next, PropstreetJson.WithNulls).Count == 0)
                return new WriteResult<Contact>(target, target, null, action);
            return new WriteResult<Contact>(target, w.Put(next), null, action);
        });
        if (!validateOnly)
            Publish(result);
        return result;
    }

    private static IResult? RefConflict(RecordStore<Contact>.Writer w, IReadOnlyList<ExternalRef>? refs, long? exceptId)
    {
        if (refs is not { Count: > 0 })
            return null;
        var clash = w.All.FirstOrDefault(c => c.DeletedUtc is null && c.Id != exceptId && c.ExternalRefs.Any(r => refs.Any(r.SameAs)));
        return clash is null ? null : Problems.Conflict($"External ref already belongs to contact {clash.Id}.");
    }

    private void Publish(WriteResult<Contact> result)
    {
        if (result.After is not { } after || ReferenceEquals(after, result.Before))
            return;
        var eventName = result.Action switch
        {
            "created" => "contact.created",
            "deleted" => "contact.deleted",
            _ => "contact.updated",
        };
        var changed = result.Action == "deleted" ? ["deletedUtc"] : ChangedFields.Between(result.Before, after, PropstreetJson.WithNulls);
        webhooks.Publish(eventName, after, PropstreetJson.WithNulls, after.ChangeOrigin, changed, after.ExternalRefs);
        if (result.Before is { } before && !before.Tags.SequenceEqual(after.Tags) && after.DeletedUtc is null)
            prospects.FollowInvestorTags(after.Id, null, after.ChangeOrigin ?? ApiClient.UiOrigin);
    }
}
