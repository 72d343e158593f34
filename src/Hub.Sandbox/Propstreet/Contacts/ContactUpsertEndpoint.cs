using Hub.Sandbox.Propstreet.Access;
using Hub.Sandbox.Propstreet.Storage;

namespace Hub.Sandbox.Propstreet.Contacts;

/// <summary>PATCH /api/v1/network/contacts/external/{namespace}/{id}: upsert by external reference.</summary>
public static class ContactUpsertEndpoint
{
    public static void MapContactUpsertEndpoint(this RouteGroupBuilder api)
    {
        api.MapPatch("/network/contacts/external/{ns}/{externalId}", async (
            string ns, string externalId, HttpContext http, PropstreetData data, ContactWrites writes, CancellationToken ct) =>
        {
            var request = http.Request;
            if (ExternalRef.Validate([new ExternalRef(ns, externalId)], out var refs) is { } refError)
                return Problems.BadRequest(refError);
            var match = request.Query["match"].ToString();
            if (match.Length > 0 && match != "email")
                return Problems.BadRequest("match must be \"email\" when given.");
            if (!Requests.TryFlag(request, "revive", true, out var revive, out var problem)
                || !Requests.TryFlag(request, "create_only", false, out var createOnly, out problem)
                || !Requests.TryFlag(request, "validate_only", false, out var validateOnly, out problem))
                return problem!;

            var (_, input, bodyProblem) = await PropstreetJson.ReadInputAsync(request, json => ContactInput.Parse(json, data, allowExternalRefs: false), ct);
            if (input is null)
                return bodyProblem!;

            var result = writes.Upsert(refs[0], input, match == "email", revive, createOnly, validateOnly, Requests.IfMatch(http), ApiClient.From(http).ChangeOrigin);
            if (result.After is not { } contact)
                return result.Problem!;

            http.Response.Headers["X-Propstreet-Upsert-Action"] = result.Action;
            // validate_only answers 200 with the contact as it would be, and persists nothing.
            if (validateOnly)
                return Results.Json(contact, PropstreetJson.WithNulls);
            http.Response.Headers.ETag = contact.Etag;
            if (result.Action != "created")
                return Results.Json(contact, PropstreetJson.WithNulls);
            http.Response.Headers.Location = $"/api/v1/network/contacts/{contact.Id}";
            return Results.Json(contact, PropstreetJson.WithNulls, statusCode: 201);
        });
    }
}
