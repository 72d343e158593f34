using Hub.Sandbox.Propstreet.Access;
using Hub.Sandbox.Propstreet.Idempotency;
using Hub.Sandbox.Propstreet.Paging;
using Hub.Sandbox.Propstreet.Storage;

namespace Hub.Sandbox.Propstreet.Contacts;

/// <summary>/api/v1/network/contacts: list (keyset), get, create, patch, soft delete.</summary>
public static class ContactEndpoints
{
    public static void MapContactEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/network/contacts");

        group.MapGet("/", (HttpRequest request, PropstreetData data) =>
        {
            if (!PageQuery.TryParse(request, PageQuery.MaxPageSize, out var page, out var problem))
                return problem!;
            var hasTag = Requests.TagFilter(request);
            return Results.Json(
                page.Read(data.Contacts, c => hasTag(c.Tags), c => c),
                PropstreetJson.WithNulls);
        });

        group.MapGet("/{id:long}", (long id, HttpRequest request, HttpContext http, PropstreetData data) =>
            Requests.Found(data.Contacts.Get(id), request) is { } contact
                ? PropstreetJson.Ok(contact, PropstreetJson.WithNulls, contact.Etag, http)
                : Problems.NotFound($"Contact {id} does not exist."));

        group.MapPost("/", async (HttpContext http, PropstreetData data, ContactWrites writes, IdempotencyStore idempotency, CancellationToken ct) =>
        {
            var (raw, body, problem) = await PropstreetJson.ReadObjectAsync(http.Request, ct);
            if (problem is not null)
                return problem;
            var client = ApiClient.From(http);
            return idempotency.Run(http, client.Token, raw, () =>
            {
                var (input, error) = ContactInput.Parse(body!, data, allowExternalRefs: true);
                if (input is null)
                    return Outcome.Fail(Problems.BadRequest(error!));
                var result = writes.Create(input, client.ChangeOrigin);
                return result.After is { } c
                    ? StoredResponse.Of(201, c, PropstreetJson.WithNulls, $"/api/v1/network/contacts/{c.Id}", c.Etag)
                    : Outcome.Fail(result.Problem!);
            });
        });

        group.MapPatch("/{id:long}", async (long id, HttpContext http, PropstreetData data, ContactWrites writes, CancellationToken ct) =>
        {
            var (_, input, problem) = await PropstreetJson.ReadInputAsync(http.Request, json => ContactInput.Parse(json, data, allowExternalRefs: true), ct);
            if (input is null)
                return problem!;
            var result = writes.Update(id, input, Requests.IfMatch(http), ApiClient.From(http).ChangeOrigin);
            return result.After is { } c ? PropstreetJson.Ok(c, PropstreetJson.WithNulls, c.Etag, http) : result.Problem!;
        });

        group.MapDelete("/{id:long}", (long id, HttpContext http, ContactWrites writes) =>
            writes.Delete(id, Requests.IfMatch(http), ApiClient.From(http).ChangeOrigin).Problem ?? Results.NoContent());
    }
}
