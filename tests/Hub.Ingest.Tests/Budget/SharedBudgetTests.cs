using Hub.ServiceDefaults.Budget;
using Hub.Testing;
using Npgsql;

namespace Hub.Ingest.Tests.Budget;

/// <summary>The budget itself, as any host uses it: two connection pools stand for two processes.</summary>
public sealed class SharedBudgetTests : IAsyncLifetime
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(2);

    private PostgresDatabase _database = null!;

    public async Task InitializeAsync() => _database = await PostgresDatabase.CreateAsync(nameof(SharedBudgetTests));

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Concurrent_requests_from_two_processes_get_exactly_the_limit_in_one_window()
    {
        await using var first = _database.CreateDataSource();
        await using var second = _database.CreateDataSource();
        var budgets = new[] { new RequestBudget(first), new RequestBudget(second) };

        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => budgets[i % 2].TryTakeAsync("test:shared", 10, TimeSpan.FromMinutes(1), RequestTimeout, CancellationToken.None)));

        Assert.Equal(10, answers.Count(answer => answer.Grant is not null));
        Assert.All(answers.Where(answer => answer.Grant is null), answer => Assert.InRange(answer.Wait, TimeSpan.FromSeconds(50), TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task A_pause_refuses_every_process_until_it_ends_and_other_budgets_go_on()
    {
        await using var first = _database.CreateDataSource();
        await using var second = _database.CreateDataSource();

        await new RequestBudget(first).PauseAsync("test:paused", TimeSpan.FromMinutes(1), CancellationToken.None);
        var paused = await new RequestBudget(second).TryTakeAsync("test:paused", 10, TimeSpan.FromSeconds(10), RequestTimeout, CancellationToken.None);
        var other = await new RequestBudget(second).TryTakeAsync("test:other", 10, TimeSpan.FromSeconds(10), RequestTimeout, CancellationToken.None);

        Assert.Null(paused.Grant);
        Assert.InRange(paused.Wait, TimeSpan.FromSeconds(50), TimeSpan.FromMinutes(1));
        Assert.NotNull(other.Grant);
    }

    [Fact]
    public async Task A_request_granted_before_a_window_but_completing_inside_it_counts_in_that_window()
    {
        var clock = await DatabaseClock.InstallAsync(_database);
        await using var dataSource = clock.CreateDataSource();
        var budget = new RequestBudget(dataSource);

        var slow = await TakeOneAsync(budget, "test:slow");
        await clock.AdvanceAsync(TimeSpan.FromSeconds(5));
        var whileInFlight = await TakeOneAsync(budget, "test:slow");
        await slow.Grant!.DisposeAsync();
        await clock.AdvanceAsync(TimeSpan.FromMilliseconds(1900));
        var withinAWindowOfItsCompletion = await TakeOneAsync(budget, "test:slow");
        await clock.AdvanceAsync(TimeSpan.FromMilliseconds(100));
        var aWindowAfterItsCompletion = await TakeOneAsync(budget, "test:slow");

        // In flight, it frees its slot a window after it completes at the earliest: a whole window from now.
        AssertRefused(whileInFlight, wait: Window);
        AssertRefused(withinAWindowOfItsCompletion, wait: TimeSpan.FromMilliseconds(100));
        Assert.NotNull(aWindowAfterItsCompletion.Grant);
    }

    [Fact]
    public async Task A_grant_whose_process_died_before_its_request_completed_frees_its_slot_a_window_after_the_request_timeout()
    {
        var clock = await DatabaseClock.InstallAsync(_database);
        await using (var died = clock.CreateDataSource())
            Assert.NotNull((await TakeOneAsync(new RequestBudget(died), "test:died")).Grant);

        await using var dataSource = clock.CreateDataSource();
        var budget = new RequestBudget(dataSource);
        await clock.AdvanceAsync(RequestTimeout + TimeSpan.FromSeconds(1));
        var withinAWindowOfItsTimeout = await TakeOneAsync(budget, "test:died");
        await clock.AdvanceAsync(TimeSpan.FromSeconds(1));
        var aWindowAfterItsTimeout = await TakeOneAsync(budget, "test:died");

        AssertRefused(withinAWindowOfItsTimeout, wait: TimeSpan.FromSeconds(1));
        Assert.NotNull(aWindowAfterItsTimeout.Grant);
    }

    [Fact]
    public async Task Grants_made_before_grants_were_held_until_completion_still_count_a_window_from_their_grant()
    {
        var clock = await DatabaseClock.InstallAsync(_database);
        await using var dataSource = clock.CreateDataSource();
        await using (var earlier = dataSource.CreateCommand(
            $"""
            CREATE SCHEMA {RequestBudget.Schema};
            CREATE TABLE {RequestBudget.Schema}.grants (budget_key text NOT NULL, granted_utc timestamptz NOT NULL);
            INSERT INTO {RequestBudget.Schema}.grants VALUES ('test:earlier', clock_timestamp());
            """))
            await earlier.ExecuteNonQueryAsync();
        var budget = new RequestBudget(dataSource);

        var withinItsWindow = await TakeOneAsync(budget, "test:earlier");
        await clock.AdvanceAsync(Window);
        var aWindowAfterItsGrant = await TakeOneAsync(budget, "test:earlier");

        AssertRefused(withinItsWindow, wait: Window);
        Assert.NotNull(aWindowAfterItsGrant.Grant);
    }

    // One request per window: every slot taken decides the next answer.
    private static Task<BudgetDecision> TakeOneAsync(RequestBudget budget, string key) =>
        budget.TryTakeAsync(key, 1, Window, RequestTimeout, CancellationToken.None);

    private static void AssertRefused(BudgetDecision decision, TimeSpan wait)
    {
        Assert.Null(decision.Grant);
        Assert.Equal(wait, decision.Wait);
    }

    /// <summary>
    /// The database's clock as the budget reads it, set by the test: a <c>clock_timestamp()</c> in a schema that the
    /// budget's connections search before <c>pg_catalog</c> (which PostgreSQL searches first only when the search
    /// path does not name it).
    /// </summary>
    private sealed class DatabaseClock(PostgresDatabase database)
    {
        public static async Task<DatabaseClock> InstallAsync(PostgresDatabase database)
        {
            await using var dataSource = database.CreateDataSource();
            await using var command = dataSource.CreateCommand(
                """
                CREATE SCHEMA test_clock;
                CREATE TABLE test_clock.now (at timestamptz NOT NULL);
                INSERT INTO test_clock.now VALUES ('2026-01-01T00:00:00Z');
                CREATE FUNCTION test_clock.clock_timestamp() RETURNS timestamptz LANGUAGE sql AS 'SELECT at FROM test_clock.now';
                """);
            await command.ExecuteNonQueryAsync();
            return new DatabaseClock(database);
        }

        public NpgsqlDataSource CreateDataSource() =>
            NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(database.ConnectionString) { SearchPath = "test_clock, pg_catalog, public" }.ConnectionString);

        public async Task AdvanceAsync(TimeSpan by)
        {
            await using var dataSource = database.CreateDataSource();
            await using var command = dataSource.CreateCommand("UPDATE test_clock.now SET at = at + $1");
            command.Parameters.Add(new NpgsqlParameter { Value = by });
            await command.ExecuteNonQueryAsync();
        }
    }
}
