using Hub.Sandbox.Propstreet.Prospects;
using Hub.Sandbox.Propstreet.Storage;
using Hub.Sandbox.Propstreet.Webhooks;

namespace Hub.Sandbox.Propstreet.Projects;

/// <summary>Project writes for the API and the control endpoints; external refs are unique among live projects.</summary>
public sealed class ProjectWrites(PropstreetData data, WebhookPublisher webhooks, ProspectWrites prospects)
{
    public WriteResult<Project> Create(ProjectInput input, string origin)
    {
        var result = data.Projects.Write(w =>
        {
            if (RefConflict(w, input.ExternalRefs, null) is { } conflict)
                return WriteResults.Fail<Project>(conflict);
            var stamp = w.NextStamp();
            var blank = new Project { Id = w.NewId(), Name = "", CreatedUtc = stamp, UpdatedUtc = stamp };
            var created = w.Put(input.ApplyTo(blank) with { Version = w.NextVersion(), ChangeOrigin = origin });
            return new WriteResult<Project>(null, created, null, "created");
        });
        Publish(result);
        return result;
    }

    public WriteResult<Project> Update(long id, Func<Project, Project> change, IReadOnlyList<ExternalRef>? refs, string? ifMatch, string origin)
    {
        var result = data.Projects.Write(w =>
        {
            if (w.Get(id) is not { DeletedUtc: null } current)
                return WriteResults.Fail<Project>(Problems.NotFound($"Project {id} does not exist."));
            if (!ETags.Matches(ifMatch, current.Etag))
                return WriteResults.Fail<Project>(Problems.PreconditionFailed());
            if (RefConflict(w, refs, id) is { } conflict)
                return WriteResults.Fail<Project>(conflict);
            var next = w.Put(change(current) with { UpdatedUtc = w.NextStamp(), Version = w.NextVersion(), ChangeOrigin = origin });
            return new WriteResult<Project>(current, next, null);
        });
        Publish(result);
        return result;
    }

    public WriteResult<Project> Delete(long id, string? ifMatch, string origin)
    {
        var result = data.Projects.Write(w =>
        {
            if (w.Get(id) is not { DeletedUtc: null } current)
                return WriteResults.Fail<Project>(Problems.NotFound($"Project {id} does not exist."));
            if (!ETags.Matches(ifMatch, current.Etag))
                return WriteResults.Fail<Project>(Problems.PreconditionFailed());
            var stamp = w.NextStamp();
            var next = w.Put(current with { UpdatedUtc = stamp, DeletedUtc = stamp, Version = w.NextVersion(), ChangeOrigin = origin });
            return new WriteResult<Project>(current, next, null, "deleted");
        });
        Publish(result);
        if (result.After is not null)
            prospects.DeleteAllOf(id, origin);
        return result;
    }

    private static IResult? RefConflict(RecordStore<Project>.Writer w, IReadOnlyList<ExternalRef>? refs, long? exceptId)
    {
        if (refs is not { Count: > 0 })
            return null;
        var clash = w.All.FirstOrDefault(p => p.DeletedUtc is null && p.Id != exceptId && p.ExternalRefs.Any(r => refs.Any(r.SameAs)));
        return clash is null
            ? null
            : Problems.Create(409, "external-ref-conflict", "External reference already in use",
                $"Project external refs must be unique within the tenant; project {clash.Id} already has this reference.");
    }

    private void Publish(WriteResult<Project> result)
    {
        if (result.After is not { } after)
            return;
        var changed = result.Action == "deleted" ? ["deletedUtc", "status"] : ChangedFields.Between(result.Before, after, PropstreetJson.OmitNulls);
        webhooks.Publish($"project.{result.Action}", after, PropstreetJson.OmitNulls, after.ChangeOrigin, changed, after.ExternalRefs);
    }
}
