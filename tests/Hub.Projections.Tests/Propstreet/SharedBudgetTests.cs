extern alias ingest;

using Hub.Projections.Propstreet;
using Hub.ServiceDefaults.Budget;
using Npgsql;
using SourceConnection = ingest::Hub.Ingest.Connections.SourceConnection;

namespace Hub.Projections.Tests.Propstreet;

/// <summary>Writes take from the request budget of the token that Ingest's polling of the same account takes from.</summary>
public sealed class SharedBudgetTests : PropstreetWriterTest
{
    [Fact]
    public async Task Every_write_attempt_takes_from_the_budget_the_poller_of_the_same_token_takes_from()
    {
        var writer = StartWriter();
        var poller = new SourceConnection { Source = SourceConnection.Propstreet, BaseUrl = Sandbox.BaseUrl, Token = Token };

        for (var i = 0; i < 3; i++)
            Written(await writer.UpsertContactByExternalRefAsync("hubspot", $"b-{i}", new ContactChanges { FirstName = "Ada" }));

        Assert.Equal(3, await GrantsAsync(poller.BudgetKey));
    }

    [Fact]
    public async Task A_budget_the_poller_has_spent_holds_the_write_back_until_its_window_frees_a_request()
    {
        var writer = StartWriter(new Dictionary<string, string?> { ["RequestsPerMinute"] = "3", ["BudgetWindow"] = "00:00:05" });
        var poller = new SourceConnection { Source = SourceConnection.Propstreet, BaseUrl = Sandbox.BaseUrl, Token = Token, RequestsPerMinute = 3, BudgetWindow = TimeSpan.FromSeconds(5) };
        await using var dataSource = Database.CreateDataSource();
        var budget = new RequestBudget(dataSource);
        // The poller's three requests, answered.
        for (var i = 0; i < 3; i++)
            await using (var grant = (await budget.TryTakeAsync(poller.BudgetKey, 3, poller.BudgetWindow, TimeSpan.FromSeconds(30), CancellationToken.None)).Grant)
                Assert.NotNull(grant);
        Assert.Null((await budget.TryTakeAsync(poller.BudgetKey, 3, poller.BudgetWindow, TimeSpan.FromSeconds(30), CancellationToken.None)).Grant);

        var write = writer.UpsertContactByExternalRefAsync("hubspot", "held", new ContactChanges { FirstName = "Ada" });
        var sentWhileSpent = Sandbox.RequestsTo("PATCH", "/api/v1/network/contacts/external/").Count;

        Written(await write);
        Assert.Equal(0, sentWhileSpent);
        Assert.Single(Sandbox.RequestsTo("PATCH", "/api/v1/network/contacts/external/"));
    }

    private async Task<long> GrantsAsync(string key)
    {
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {RequestBudget.Schema}.grants WHERE budget_key = $1", connection) { Parameters = { new() { Value = key } } };
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
