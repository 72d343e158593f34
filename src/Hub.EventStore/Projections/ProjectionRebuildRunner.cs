using JasperFx.Events.Daemon;
using Marten;
using JasperFx;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Hub.EventStore.Projections;

/// <summary>A read model an operator may rebuild: its name in requests and the projection behind it.</summary>
public sealed record RebuildableReadModel(
    string Name, string ProjectionName,
    Func<DocumentStore, IProjectionDaemon, IProgress<SingleStreamRebuildProgress>, CancellationToken, Task<SingleStreamRebuildResult>> RunAsync)
{
    public static RebuildableReadModel For<TDoc>(string name, string projectionName)
        where TDoc : class =>
        new(name, projectionName, (store, daemon, progress, ct) => SingleStreamRebuild.RunAsync<TDoc>(store, daemon, projectionName, progress: progress, cancellationToken: ct));
}

/// <summary>
/// Runs requested rebuilds (<see cref="ProjectionRebuild"/>) on the one node whose daemon runs the projection's agent
/// (HotCold: the others see the request and leave it), with <see cref="SingleStreamRebuild"/>, writing progress to the
/// request about once a second.
/// </summary>
public sealed partial class ProjectionRebuildRunner(
    IDocumentStore store, IProjectionCoordinator coordinator, IEnumerable<RebuildableReadModel> readModels, TimeProvider clock,
    ILogger<ProjectionRebuildRunner> logger) : BackgroundService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var byName = readModels.ToDictionary(r => r.Name, StringComparer.Ordinal);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunRequestedAsync(byName, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogPollFailed(ex);
            }

            await Task.Delay(PollInterval, clock, stoppingToken);
        }
    }

    private async Task RunRequestedAsync(Dictionary<string, RebuildableReadModel> byName, CancellationToken cancellationToken)
    {
        IReadOnlyList<ProjectionRebuild> requested;
        await using (var query = store.QuerySession())
            requested = await query.Query<ProjectionRebuild>().Where(r => r.Status == ProjectionRebuildStatus.Requested).ToListAsync(cancellationToken);
        if (requested.Count == 0)
            return;

        var daemon = coordinator.DaemonForMainDatabase();
        // A daemon that has not yet found the high-water mark would fold nothing and swap an empty model in.
        if (daemon.HighWaterMark() == 0 && (await store.Advanced.FetchEventStoreStatistics(token: cancellationToken)).EventCount > 0)
            return;
        foreach (var request in requested)
        {
            if (!byName.TryGetValue(request.ReadModel, out var readModel))
            {
                await SaveAsync(request with { Status = ProjectionRebuildStatus.Failed, Error = $"'{request.ReadModel}' is not a rebuildable read model.", FinishedUtc = clock.GetUtcNow() }, cancellationToken);
                continue;
            }

            // Only the node running the agent may pause it and swap its read models.
            if (!daemon.CurrentAgents().Any(a => a.Name.Name == readModel.ProjectionName))
                continue;
            var claimed = await TryClaimAsync(request, cancellationToken);
            if (claimed is not null)
                await RunAsync(claimed, readModel, daemon, cancellationToken);
        }
    }

    private async Task<ProjectionRebuild?> TryClaimAsync(ProjectionRebuild request, CancellationToken cancellationToken)
    {
        try
        {
            return await SaveAsync(request with { Status = ProjectionRebuildStatus.Running, StartedUtc = clock.GetUtcNow() }, cancellationToken);
        }
        catch (ConcurrencyException)
        {
            return null;
        }
    }

    private async Task RunAsync(ProjectionRebuild rebuild, RebuildableReadModel readModel, IProjectionDaemon daemon, CancellationToken cancellationToken)
    {
        LogStarted(rebuild.Id, readModel.Name);
        var reporter = new ProgressWriter(this, rebuild, clock);
        try
        {
            var result = await readModel.RunAsync((DocumentStore)store, daemon, reporter, cancellationToken);
            await SaveAsync(await reporter.FlushAsync() with
            {
                Status = ProjectionRebuildStatus.Succeeded, Phase = SingleStreamRebuildPhase.Done, EventsFolded = result.Events, Documents = result.Documents,
                HighWaterMark = result.HighWaterMark, FinishedUtc = clock.GetUtcNow(),
            }, cancellationToken);
            LogSucceeded(rebuild.Id, readModel.Name, result.Events, result.Documents, result.Spilled);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(ex, rebuild.Id, readModel.Name);
            await SaveAsync(await reporter.FlushAsync() with { Status = ProjectionRebuildStatus.Failed, Error = ex.Message, FinishedUtc = clock.GetUtcNow() }, CancellationToken.None);
        }
    }

    private async Task<ProjectionRebuild> SaveAsync(ProjectionRebuild rebuild, CancellationToken cancellationToken)
    {
        await using var session = store.LightweightSession();
        session.UpdateExpectedVersion(rebuild, rebuild.Version);
        await session.SaveChangesAsync(cancellationToken);
        return rebuild;
    }

    /// <summary>Writes progress reports to the request, at most once a second and on every phase change, one write at a time.</summary>
    private sealed class ProgressWriter(ProjectionRebuildRunner runner, ProjectionRebuild rebuild, TimeProvider clock) : IProgress<SingleStreamRebuildProgress>
    {
        private readonly Lock _gate = new();
        private DateTimeOffset _written = DateTimeOffset.MinValue;
        private Task _writing = Task.CompletedTask;
        private Guid _version = rebuild.Version;

        public ProjectionRebuild Current { get; private set; } = rebuild;

        public void Report(SingleStreamRebuildProgress value)
        {
            lock (_gate)
            {
                var phaseChanged = value.Phase != Current.Phase;
                Current = Current with { Phase = value.Phase, EventsFolded = value.EventsFolded, EventsTotal = value.EventsTotal, Documents = value.Documents };
                var now = clock.GetUtcNow();
                if (now - _written < TimeSpan.FromSeconds(1) && !phaseChanged)
                    return;
                _written = now;
                var snapshot = Current;
                _writing = _writing.ContinueWith(_ => WriteAsync(snapshot), TaskScheduler.Default).Unwrap();
            }
        }

        /// <summary>Waits for the last progress write; <see cref="Current"/> then carries the stored version.</summary>
        public async Task<ProjectionRebuild> FlushAsync()
        {
            await _writing;
            lock (_gate)
                return Current = Current with { Version = _version };
        }

        private async Task WriteAsync(ProjectionRebuild snapshot)
        {
            try
            {
                var saved = await runner.SaveAsync(snapshot with { Version = _version }, CancellationToken.None);
                _version = saved.Version;
            }
            catch (Exception ex)
            {
                // Progress is for people watching; the rebuild goes on without it.
                runner.LogProgressFailed(ex, snapshot.Id);
            }
        }
    }

    [LoggerMessage(LogLevel.Warning, "Writing the progress of rebuild {RebuildId} failed")]
    private partial void LogProgressFailed(Exception ex, string rebuildId);

    [LoggerMessage(LogLevel.Warning, "Looking for requested rebuilds failed; trying again")]
    private partial void LogPollFailed(Exception ex);

    [LoggerMessage(LogLevel.Information, "Rebuild {RebuildId} of read model {ReadModel} started")]
    private partial void LogStarted(string rebuildId, string readModel);

    [LoggerMessage(LogLevel.Information, "Rebuild {RebuildId} of read model {ReadModel} done: {Events} events folded into {Documents} documents ({Spilled} set aside in the database on the way, over the memory budget)")]
    private partial void LogSucceeded(string rebuildId, string readModel, long events, int documents, int spilled);

    [LoggerMessage(LogLevel.Error, "Rebuild {RebuildId} of read model {ReadModel} failed")]
    private partial void LogFailed(Exception ex, string rebuildId, string readModel);
}

public static class ProjectionRebuildSetup
{
    /// <summary>Lets operators rebuild <paramref name="readModels"/> on this host (the one that runs the async daemon).</summary>
    public static MartenServiceCollectionExtensions.MartenConfigurationExpression AddProjectionRebuilds(
        this MartenServiceCollectionExtensions.MartenConfigurationExpression marten, params RebuildableReadModel[] readModels)
    {
        ArgumentNullException.ThrowIfNull(marten);
        foreach (var readModel in readModels)
            marten.Services.AddSingleton(readModel);
        marten.Services.AddHostedService<ProjectionRebuildRunner>();
        return marten;
    }
}
