using Hub.Sandbox.Propstreet.Access;
using Hub.Sandbox.Propstreet.Companies;
using Hub.Sandbox.Propstreet.Contacts;
using Hub.Sandbox.Propstreet.Projects;
using Hub.Sandbox.Propstreet.Prospects;
using Hub.Sandbox.Propstreet.Storage;
using Hub.Sandbox.Propstreet.Webhooks;

namespace Hub.Sandbox.Propstreet.Control;

/// <summary>
/// "Drive changes" under /_sandbox/propstreet (admin surface only): writes as a Propstreet user would make them in
/// the UI, stamped with changeOrigin "ui" so they are never mistaken for an integration's echo. They go through the
/// same write paths as the API (same stamps, etags, webhooks), but skip bearer auth, rate limit and If-Match.
/// </summary>
public static class PropstreetControlEndpoints
{
    private const string Ui = ApiClient.UiOrigin;

    public static void MapPropstreetControlEndpoints(this RouteGroupBuilder control)
    {
        control.MapPost("/contacts", async (HttpContext http, PropstreetData data, ContactWrites writes, CancellationToken ct) =>
        {
            var (_, input, problem) = await PropstreetJson.ReadInputAsync(http.Request, json => ContactInput.Parse(json, data, allowExternalRefs: true), ct);
            if (input is null)
                return problem!;
            var result = writes.Create(input, Ui);
            return result.After is { } c ? Results.Json(c, PropstreetJson.WithNulls, statusCode: 201) : result.Problem!;
        });

        control.MapPatch("/contacts/{id:long}", async (long id, HttpContext http, PropstreetData data, ContactWrites writes, CancellationToken ct) =>
        {
            var (_, input, problem) = await PropstreetJson.ReadInputAsync(http.Request, json => ContactInput.Parse(json, data, allowExternalRefs: true), ct);
            if (input is null)
                return problem!;
            var result = writes.Update(id, input, null, Ui);
            return result.After is { } c ? Results.Json(c, PropstreetJson.WithNulls) : result.Problem!;
        });

        control.MapDelete("/contacts/{id:long}", (long id, ContactWrites writes) =>
            writes.Delete(id, null, Ui).Problem ?? Results.NoContent());

        // A bulk edit in the UI: the chosen live contacts (by ids, or the first `count` by id) get one shared
        // updatedUtc, as a real bulk import/edit produces. Used to prove keyset ties across page boundaries.
        control.MapPost("/contacts:bulk-touch", (BulkTouch request, PropstreetData data, WebhookPublisher webhooks, ProspectWrites prospects) =>
        {
            var tag = string.IsNullOrWhiteSpace(request.AddTag) ? "bulk-edited" : request.AddTag.Trim();
            var touched = data.Contacts.Write(w =>
            {
                var targets = request.Ids is { Count: > 0 } ids
                    ? ids.Select(id => w.Get(id)).OfType<Contact>().Where(c => c.DeletedUtc is null).ToList()
                    : w.All.Where(c => c.DeletedUtc is null).OrderBy(c => c.Id).Take(Math.Max(0, request.Count ?? 0)).ToList();
                var stamp = w.SharedStamp();
                var result = new List<(Contact Before, Contact After)>(targets.Count);
                foreach (var c in targets)
                {
                    var after = w.Put(c with
                    {
                        Tags = c.Tags.Contains(tag) ? c.Tags : [.. c.Tags, tag],
                        UpdatedUtc = stamp,
                        Version = w.NextVersion(),
                        ChangeType = "updated",
                        ChangeOrigin = Ui,
                    });
                    result.Add((c, after));
                }

                return result;
            });
            foreach (var (before, after) in touched)
            {
                webhooks.Publish("contact.updated", after, PropstreetJson.WithNulls, Ui, ChangedFields.Between(before, after, PropstreetJson.WithNulls), after.ExternalRefs);
                prospects.FollowInvestorTags(after.Id, null, Ui);
            }

            return Results.Ok(new { count = touched.Count, updatedUtc = touched.FirstOrDefault().After?.UpdatedUtc, ids = touched.Select(t => t.After.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)) });
        });

        control.MapPatch("/companies/{id:long}", (long id, CompanyChange change, PropstreetData data, WebhookPublisher webhooks, ProspectWrites prospects) =>
        {
            var result = WriteCompany(id, data, webhooks, c => c with { Name = change.Name ?? c.Name, Tags = change.Tags ?? c.Tags }, deleting: false);
            if (change.Tags is not null)
                prospects.FollowInvestorTags(null, id, Ui);
            return result;
        });

        control.MapDelete("/companies/{id:long}", (long id, PropstreetData data, WebhookPublisher webhooks) =>
            WriteCompany(id, data, webhooks, c => c, deleting: true));

        control.MapPost("/projects", async (HttpContext http, ProjectWrites writes, CancellationToken ct) =>
        {
            var (_, input, problem) = await PropstreetJson.ReadInputAsync(http.Request, json => ProjectInput.Parse(json, creating: true), ct);
            if (input is null)
                return problem!;
            var result = writes.Create(input, Ui);
            return result.After is { } p ? Results.Json(p, PropstreetJson.OmitNulls, statusCode: 201) : result.Problem!;
        });

        control.MapPatch("/projects/{id:long}", async (long id, HttpContext http, ProjectWrites writes, CancellationToken ct) =>
        {
            var (body, input, problem) = await PropstreetJson.ReadInputAsync(http.Request, json => ProjectInput.Parse(json, creating: false), ct);
            if (input is null)
                return problem!;
            // The UI can also move the teaser along: {"teaserStage": "communicated"}.
            var stage = body!["teaserStage"]?.GetValue<string>();
            var result = writes.Update(id, p => AdvanceTeaser(input.ApplyTo(p), stage, p.UpdatedUtc), input.ExternalRefs, null, Ui);
            return result.After is { } updated ? Results.Json(updated, PropstreetJson.OmitNulls) : result.Problem!;
        });

        control.MapDelete("/projects/{id:long}", (long id, ProjectWrites writes) =>
            writes.Delete(id, null, Ui).Problem ?? Results.NoContent());

        control.MapPatch("/projects/{projectId:long}/prospects/{id:long}", (long projectId, long id, ProspectChange change, ProspectWrites writes) =>
        {
            if (change.Classification is { } c && !ProspectWrites.Classifications.Contains(c))
                return Problems.BadRequest("Unknown classification.");
            var result = writes.Update(projectId, id, p => p with
            {
                Classification = change.Classification ?? p.Classification,
                Capabilities = change.Chat is { } chat ? (chat ? ["chat"] : []) : p.Capabilities,
            }, null, null, Ui);
            return result.After is { } updated ? Results.Json(updated, PropstreetJson.OmitNulls) : result.Problem!;
        });

        control.MapDelete("/projects/{projectId:long}/prospects/{id:long}", (long projectId, long id, ProspectWrites writes) =>
            writes.Delete(projectId, id, null, Ui).Problem ?? Results.NoContent());
    }

    private static Project AdvanceTeaser(Project project, string? stage, DateTime at)
    {
        if (stage is null)
            return project;
        var t = project.Teaser ?? new ProjectTeaser(stage, null, null, null);
        return project with
        {
            Teaser = t with
            {
                Stage = stage,
                PublishedUtc = stage is "published" or "verified" or "communicated" ? t.PublishedUtc ?? at : t.PublishedUtc,
                VerifiedUtc = stage is "verified" or "communicated" ? t.VerifiedUtc ?? at : t.VerifiedUtc,
                CommunicatedUtc = stage is "communicated" ? t.CommunicatedUtc ?? at : t.CommunicatedUtc,
            },
        };
    }

    private static IResult WriteCompany(long id, PropstreetData data, WebhookPublisher webhooks, Func<Company, Company> change, bool deleting)
    {
        var (before, after) = data.Companies.Write(w =>
        {
            if (w.Get(id) is not { DeletedUtc: null } current)
                return ((Company?)null, (Company?)null);
            var stamp = w.NextStamp();
            var next = change(current) with
            {
                UpdatedUtc = stamp,
                DeletedUtc = deleting ? stamp : null,
                Version = w.NextVersion(),
                ChangeType = deleting ? "deleted" : "updated",
                ChangeOrigin = Ui,
            };
            return ((Company?)current, (Company?)w.Put(next));
        });
        if (after is null)
            return Problems.NotFound($"Company {id} does not exist.");
        var changed = deleting ? ["deletedUtc"] : ChangedFields.Between(before, after, PropstreetJson.WithNulls);
        webhooks.Publish(deleting ? "company.deleted" : "company.updated", after, PropstreetJson.WithNulls, Ui, changed, after.ExternalRefs);
        return deleting ? Results.NoContent() : Results.Json(after, PropstreetJson.WithNulls);
    }

    public sealed record BulkTouch(IReadOnlyList<long>? Ids, int? Count, string? AddTag);

    public sealed record CompanyChange(string? Name, IReadOnlyList<string>? Tags);

    public sealed record ProspectChange(string? Classification, bool? Chat);
}
