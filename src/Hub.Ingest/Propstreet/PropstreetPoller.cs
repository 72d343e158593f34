using System.Text.Json;
using Hub.Ingest.Connections;
using Hub.Ingest.Leadership;
using Hub.Ingest.Polling;

namespace Hub.Ingest.Propstreet;

/// <summary>
/// One poll run of a Propstreet resource. Contacts, companies and projects are one walk each; prospects and linked
/// properties are per project, so those walk every project's list (each with its own checkpoint, scope
/// <c>prospect:{projectId}</c>), the project ids read fresh each run (deleted projects included: their prospects
/// are deleted with them).
/// </summary>
public sealed class PropstreetPoller(PropstreetClient client, PageWalker walker)
{
    public async Task PollAsync(SourceConnection connection, string resource, LeaderLease lease, CancellationToken cancellationToken)
    {
        switch (resource)
        {
            case "contacts":
                await WalkAsync(connection, "contact", "contact", "api/v1/network/contacts", "", lease, cancellationToken);
                break;
            case "companies":
                await WalkAsync(connection, "company", "company", "api/v1/network/companies", "", lease, cancellationToken);
                break;
            case "projects":
                await WalkAsync(connection, "project", "project", "api/v1/projects", "", lease, cancellationToken);
                break;
            case "prospects" or "properties":
                var singular = SourceResources.Singular(resource);
                foreach (var projectId in await ProjectIdsAsync(connection, cancellationToken))
                    await WalkAsync(connection, singular, $"{singular}:{projectId}", $"api/v1/projects/{projectId}/{resource}", singular == "prospect" ? projectId + ":" : "", lease, cancellationToken);
                break;
            default:
                throw new InvalidOperationException($"Propstreet has no resource '{resource}'.");
        }
    }

    private Task WalkAsync(SourceConnection connection, string resource, string scope, string path, string idPrefix, LeaderLease lease, CancellationToken cancellationToken) =>
        walker.WalkAsync(connection, resource, scope, (since, cursor, ct) => client.ListAsync(connection, path, since, cursor, idPrefix, ct), lease, cancellationToken);

    private async Task<List<string>> ProjectIdsAsync(SourceConnection connection, CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        string? cursor = null;
        do
        {
            var page = await client.ListAsync(connection, "api/v1/projects", null, cursor, "", cancellationToken);
            ids.AddRange(page.Records.Select(r => r.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return ids;
    }
}
