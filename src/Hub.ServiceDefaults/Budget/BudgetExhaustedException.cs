namespace Hub.ServiceDefaults.Budget;

/// <summary>
/// The shared budget has no request left (or a 429 paused it). Not retried by the HTTP pipeline: the run stops,
/// keeps its checkpoint, and resumes after <see cref="RetryAfter"/>.
/// </summary>
public sealed class BudgetExhaustedException(TimeSpan retryAfter)
    : Exception($"The request budget is spent; next request in {retryAfter.TotalSeconds:0.###} s.")
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}
