namespace Hub.Sandbox.Propstreet;

/// <summary>The outcome of one write: the record before and after, or the problem that stopped it.</summary>
public sealed record WriteResult<T>(T? Before, T? After, IResult? Problem, string Action = "updated")
    where T : class;

public static class WriteResults
{
    public static WriteResult<T> Fail<T>(IResult problem)
        where T : class => new(null, null, problem);
}
