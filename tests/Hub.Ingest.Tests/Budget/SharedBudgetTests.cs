using Hub.ServiceDefaults.Budget;
using Hub.Testing;

namespace Hub.Ingest.Tests.Budget;

/// <summary>The budget itself, as any host uses it: two connection pools stand for two processes.</summary>
public sealed class SharedBudgetTests : IAsyncLifetime
{
    private PostgresDatabase _database = null!;

    public async Task InitializeAsync() => _database = await PostgresDatabase.CreateAsync(nameof(SharedBudgetTests));

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Concurrent_requests_from_two_processes_get_exactly_the_limit_in_one_window()
    {
        await using var first = _database.CreateDataSource();
        await using var second = _database.CreateDataSource();
        var budgets = new[] { new RequestBudget(first), new RequestBudget(second) };

        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => budgets[i % 2].TryTakeAsync("test:shared", 10, TimeSpan.FromMinutes(1), CancellationToken.None)));

        Assert.Equal(10, answers.Count(wait => wait is null));
        Assert.All(answers.Where(wait => wait is not null), wait => Assert.InRange(wait!.Value, TimeSpan.FromSeconds(50), TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task A_pause_refuses_every_process_until_it_ends_and_other_budgets_go_on()
    {
        await using var first = _database.CreateDataSource();
        await using var second = _database.CreateDataSource();

        await new RequestBudget(first).PauseAsync("test:paused", TimeSpan.FromMinutes(1), CancellationToken.None);
        var paused = await new RequestBudget(second).TryTakeAsync("test:paused", 10, TimeSpan.FromSeconds(10), CancellationToken.None);
        var other = await new RequestBudget(second).TryTakeAsync("test:other", 10, TimeSpan.FromSeconds(10), CancellationToken.None);

        Assert.InRange(paused!.Value, TimeSpan.FromSeconds(50), TimeSpan.FromMinutes(1));
        Assert.Null(other);
    }
}
