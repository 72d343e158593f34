namespace Hub.ServiceDefaults.Budget;

/// <summary>The budget's answer to a request: a <see cref="Grant"/>, or none and how long to <see cref="Wait"/> before asking again.</summary>
public readonly record struct BudgetDecision(RequestGrant? Grant, TimeSpan Wait);

/// <summary>
/// One request taken from a <see cref="RequestBudget"/>. Dispose it once the request has completed — answered, failed
/// or cancelled — and not before: its slot counts until one window after that, so every request the server sees in
/// any window was counted by the budget in that window too. Disposing twice releases once.
/// </summary>
public sealed class RequestGrant : IAsyncDisposable
{
    private readonly RequestBudget _budget;
    private readonly long _id;
    private int _released;

    internal RequestGrant(RequestBudget budget, long id)
    {
        _budget = budget;
        _id = id;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
            await _budget.ReleaseAsync(_id);
    }
}
