using Hub.Ingest.Polling;
using Hub.Ingest.Webhooks;
using Microsoft.Extensions.Configuration;

namespace Hub.Ingest.Connections;

/// <summary>Reads <c>Ingest:Connections:{name}</c> and refuses to start on a connection that cannot work.</summary>
public static class ConnectionsSetup
{
    public const string Section = "Ingest:Connections";

    public static IReadOnlyList<SourceConnection> Read(IConfiguration configuration)
    {
        var connections = new List<SourceConnection>();
        var errors = new List<string>();
        foreach (var section in configuration.GetSection(Section).GetChildren())
        {
            var connection = new SourceConnection();
            section.Bind(connection);
            connection.Name = section.Key;
            connection.Source = connection.Source.Trim().ToLowerInvariant();
            if (connection.Poll && connection.Resources.Count == 0)
                connection.Resources = [.. SourceResources.For(connection.Source)];
            errors.AddRange(Validate(connection).Select(e => $"{Section}:{section.Key}: {e}"));
            connections.Add(connection);
        }

        if (errors.Count > 0)
            throw new InvalidOperationException("Ingest configuration is invalid:" + Environment.NewLine + string.Join(Environment.NewLine, errors));
        return connections;
    }

    private static IEnumerable<string> Validate(SourceConnection c)
    {
        if (!c.Name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_'))
            yield return "the name may hold only letters, digits, '-' and '_' (it is part of observation ids).";
        if (c.Source is not (SourceConnection.Propstreet or SourceConnection.PropertyFinder))
            yield return $"Source must be '{SourceConnection.Propstreet}' or '{SourceConnection.PropertyFinder}'.";
        if (!c.Poll && c.AcceptedSecrets().Count == 0)
            yield return "Poll is false and no WebhookSecret is set: the connection would observe nothing.";
        if (c.AcceptedSecrets().Any(s => !StandardWebhookSignature.IsReadable(s)))
            yield return "WebhookSecret/WebhookSecrets: a secret starting with 'whsec_' is not base64 after the prefix.";

        // What only polling needs: a webhook-only connection is configured with its source and secret alone.
        if (!c.Poll)
            yield break;
        if (c.BaseUrl is not { IsAbsoluteUri: true } || c.BaseUrl.Scheme is not ("http" or "https"))
            yield return "BaseUrl must be an absolute http(s) URL.";
        if (c.Source == SourceConnection.Propstreet && string.IsNullOrWhiteSpace(c.Token))
            yield return "Token (the Propstreet API token) is required.";
        if (c.Source == SourceConnection.PropertyFinder && (string.IsNullOrWhiteSpace(c.ClientId) || string.IsNullOrWhiteSpace(c.ClientSecret)))
            yield return "ClientId and ClientSecret (Property Finder client credentials) are required.";
        foreach (var unknown in c.Resources.Except(SourceResources.For(c.Source)))
            yield return $"Resources: '{unknown}' is not a {c.Source} resource (one of: {string.Join(", ", SourceResources.For(c.Source))}).";
        if (c.PageSize < 0 || c.PageSize > SourceResources.MaxPageSize(c.Source))
            yield return $"PageSize must be between 1 and {SourceResources.MaxPageSize(c.Source)} (0 = the maximum).";
        if (c.Schedule <= TimeSpan.Zero)
            yield return "Schedule must be a positive interval (e.g. 00:05:00).";
        if (c.LookBack < TimeSpan.Zero)
            yield return "LookBack must not be negative.";
        if (c.Source == SourceConnection.PropertyFinder && c.LookBack < TimeSpan.FromSeconds(1))
            yield return "LookBack must be at least 00:00:01 for Property Finder: since is exclusive and createdAt has whole seconds, so leads of the last second seen would be missed.";
        if (c.RequestsPerMinute <= 0 || c.BudgetWindow <= TimeSpan.Zero)
            yield return "RequestsPerMinute and BudgetWindow must be positive.";
        if (c.ReconcileEvery <= TimeSpan.Zero)
            yield return "ReconcileEvery must be a positive interval.";
    }
}
