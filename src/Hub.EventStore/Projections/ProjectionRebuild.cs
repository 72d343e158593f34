using Marten;

namespace Hub.EventStore.Projections;

/// <summary>
/// An operator's request to rebuild a read model, and how far it got: written by the API, claimed and run by the
/// node whose daemon runs the projection (<see cref="ProjectionRebuildRunner"/>), read back for progress.
/// </summary>
public sealed record ProjectionRebuild
{
    public required string Id { get; init; }

    /// <summary>The rebuildable read model's name, e.g. <c>hubspot</c>.</summary>
    public required string ReadModel { get; init; }

    public ProjectionRebuildStatus Status { get; init; }

    public SingleStreamRebuildPhase? Phase { get; init; }

    public long EventsFolded { get; init; }

    public long EventsTotal { get; init; }

    public int Documents { get; init; }

    public long? HighWaterMark { get; init; }

    public required DateTimeOffset RequestedUtc { get; init; }

    public DateTimeOffset? StartedUtc { get; init; }

    public DateTimeOffset? FinishedUtc { get; init; }

    public string? Error { get; init; }

    /// <summary>Marten's optimistic-concurrency version: two nodes cannot both claim one request.</summary>
    public Guid Version { get; set; }

    public bool IsOpen => Status is ProjectionRebuildStatus.Requested or ProjectionRebuildStatus.Running;

    /// <summary>
    /// Records a request for <paramref name="readModel"/>, or returns the one already open (a second operator, or a
    /// retried command, joins the running rebuild instead of queuing another).
    /// </summary>
    public static async Task<(ProjectionRebuild Rebuild, bool Created)> RequestAsync(IDocumentSession session, string readModel, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        var open = await session.Query<ProjectionRebuild>()
            .Where(r => r.ReadModel == readModel && (r.Status == ProjectionRebuildStatus.Requested || r.Status == ProjectionRebuildStatus.Running))
            .FirstOrDefaultAsync(cancellationToken);
        if (open is not null)
            return (open, false);
        var rebuild = new ProjectionRebuild { Id = Guid.CreateVersion7().ToString("N"), ReadModel = readModel, RequestedUtc = now };
        session.Insert(rebuild);
        await session.SaveChangesAsync(cancellationToken);
        return (rebuild, true);
    }
}

public enum ProjectionRebuildStatus
{
    Requested,
    Running,
    Succeeded,
    Failed,
}
