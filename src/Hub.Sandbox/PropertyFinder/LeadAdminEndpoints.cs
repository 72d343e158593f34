namespace Hub.Sandbox.PropertyFinder;

/// <summary>
/// <c>{admin}/propertyfinder/...</c>: drive changes (create, update, delete leads — creating one fires the
/// webhook), point webhooks elsewhere, and see what was delivered.
/// </summary>
public static class LeadAdminEndpoints
{
    public static RouteGroupBuilder MapPropertyFinderAdmin(this RouteGroupBuilder admin)
    {
        admin.MapPost("/leads", (LeadDraft? draft, LeadStore store, LeadWebhooks webhooks, HttpRequest request) =>
        {
            draft ??= new LeadDraft();
            if (draft.Channel is not null && LeadChannels.Normalize(draft.Channel) is null)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["channel"] = [$"channel must be one of: {string.Join(", ", LeadChannels.All)}."],
                });
            }

            var lead = store.Create(draft);
            webhooks.LeadCreated(lead);
            return Results.Json(lead, PropertyFinderJson.Options, statusCode: StatusCodes.Status201Created);
        });

        admin.MapGet("/leads/{id}", (string id, LeadStore store) =>
            store.Find(id) is { } lead ? Results.Json(lead, PropertyFinderJson.Options) : NotFound(id));

        admin.MapPatch("/leads/{id}", (string id, LeadPatch patch, LeadStore store) =>
            store.Update(id, patch) is { } lead ? Results.Json(lead, PropertyFinderJson.Options) : NotFound(id));

        admin.MapDelete("/leads/{id}", (string id, LeadStore store) =>
            store.Delete(id) ? Results.NoContent() : NotFound(id));

        admin.MapGet("/webhooks", (LeadWebhooks webhooks) => Results.Ok(new WebhookSettings(webhooks.Urls)));

        admin.MapPut("/webhooks", (WebhookSettings settings, LeadWebhooks webhooks) =>
        {
            if (settings.Urls.Any(u => !u.IsAbsoluteUri || (u.Scheme != Uri.UriSchemeHttp && u.Scheme != Uri.UriSchemeHttps)))
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["urls"] = ["Every URL must be absolute http(s)."] });
            }

            webhooks.Urls = settings.Urls;
            return Results.Ok(new WebhookSettings(webhooks.Urls));
        });

        admin.MapGet("/webhooks/deliveries", (LeadWebhooks webhooks) => Results.Ok(webhooks.History));

        return admin;
    }

    private static IResult NotFound(string id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Lead not found", detail: $"No lead {id}.");
}

public sealed record WebhookSettings(IReadOnlyList<Uri> Urls);
