using Hub.Ingest.Connections;
using Microsoft.Extensions.Configuration;

namespace Hub.Ingest.Tests.Connections;

public sealed class ConnectionsSetupTests
{
    [Fact]
    public void A_connection_that_cannot_work_stops_start_up_naming_every_problem()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ingest:Connections:ps:Source"] = "propstreet",
            ["Ingest:Connections:ps:BaseUrl"] = "not a url",
            ["Ingest:Connections:ps:Resources:0"] = "leads",
            ["Ingest:Connections:pf:Source"] = "propertyfinder",
            ["Ingest:Connections:pf:BaseUrl"] = "https://atlas.propertyfinder.com",
            ["Ingest:Connections:pf:ClientId"] = "hub",
            ["Ingest:Connections:pf:PageSize"] = "500",
            ["Ingest:Connections:pf:LookBack"] = "00:00:00",
        }).Build();

        var error = Assert.Throws<InvalidOperationException>(() => ConnectionsSetup.Read(configuration));

        Assert.Contains("Ingest:Connections:ps: BaseUrl must be an absolute http(s) URL.", error.Message, StringComparison.Ordinal);
        Assert.Contains("Ingest:Connections:ps: Token (the Propstreet API token) is required.", error.Message, StringComparison.Ordinal);
        Assert.Contains("Ingest:Connections:ps: Resources: 'leads' is not a propstreet resource", error.Message, StringComparison.Ordinal);
        Assert.Contains("Ingest:Connections:pf: ClientId and ClientSecret", error.Message, StringComparison.Ordinal);
        Assert.Contains("Ingest:Connections:pf: PageSize must be between 1 and 50", error.Message, StringComparison.Ordinal);
        Assert.Contains("Ingest:Connections:pf: LookBack must be at least 00:00:01 for Property Finder", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_webhook_only_connection_needs_no_base_url_or_credentials_and_polls_nothing()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ingest:Connections:ps:Source"] = "propstreet",
            ["Ingest:Connections:ps:Poll"] = "false",
            ["Ingest:Connections:ps:WebhookSecret"] = "whsec_c2VjcmV0LWtleQ==",
        }).Build();

        var connection = Assert.Single(ConnectionsSetup.Read(configuration));

        Assert.False(connection.Poll);
        Assert.Empty(connection.Resources);
        Assert.Equal(["whsec_c2VjcmV0LWtleQ=="], connection.AcceptedSecrets());
    }

    [Fact]
    public void A_connection_that_neither_polls_nor_has_a_readable_webhook_secret_stops_start_up_without_printing_the_secret()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ingest:Connections:idle:Source"] = "propstreet",
            ["Ingest:Connections:idle:Poll"] = "false",
            ["Ingest:Connections:bad:Source"] = "propertyfinder",
            ["Ingest:Connections:bad:Poll"] = "false",
            ["Ingest:Connections:bad:WebhookSecret"] = "plain-secret-ok",
            ["Ingest:Connections:bad:WebhookSecrets:0"] = "whsec_not*base64",
        }).Build();

        var error = Assert.Throws<InvalidOperationException>(() => ConnectionsSetup.Read(configuration));

        Assert.Contains("Ingest:Connections:idle: Poll is false and no WebhookSecret is set", error.Message, StringComparison.Ordinal);
        Assert.Contains("Ingest:Connections:bad: WebhookSecret/WebhookSecrets: a secret starting with 'whsec_' is not base64", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not*base64", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("plain-secret-ok", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Connections_sharing_a_token_share_a_budget_key_that_does_not_reveal_the_token()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ingest:Connections:a:Source"] = "propstreet",
            ["Ingest:Connections:a:BaseUrl"] = "https://app.propstreet.com",
            ["Ingest:Connections:a:Token"] = "secret-token-1",
            ["Ingest:Connections:b:Source"] = "propstreet",
            ["Ingest:Connections:b:BaseUrl"] = "https://app.propstreet.com",
            ["Ingest:Connections:b:Token"] = "secret-token-1",
            ["Ingest:Connections:c:Source"] = "propstreet",
            ["Ingest:Connections:c:BaseUrl"] = "https://app.propstreet.com",
            ["Ingest:Connections:c:Token"] = "secret-token-2",
        }).Build();

        var connections = ConnectionsSetup.Read(configuration).ToDictionary(c => c.Name);

        Assert.Equal(connections["a"].BudgetKey, connections["b"].BudgetKey);
        Assert.NotEqual(connections["a"].BudgetKey, connections["c"].BudgetKey);
        Assert.DoesNotContain("secret", connections["a"].BudgetKey, StringComparison.Ordinal);
        Assert.Equal(["contacts", "companies", "projects", "prospects", "properties"], connections["a"].Resources);
    }
}
