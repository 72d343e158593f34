using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Hub.Contracts.Observations;
using Hub.Ingest.Checkpoints;
using Hub.Ingest.Connections;
using Hub.Ingest.Leadership;
using Hub.Ingest.Observations;
using Microsoft.Extensions.Logging;

namespace Hub.Ingest.Polling;

/// <summary>Reads one page of a scope: from <c>since</c> (null = everything), at <c>cursor</c> (null = the first page).</summary>
public delegate Task<SourcePage> PageReader(DateTimeOffset? since, string? cursor, CancellationToken cancellationToken);

/// <summary>
/// Walks one scope page by page: each page becomes one <see cref="RecordsObserved"/>, sent to
/// <c>hub-observations</c>; only after the broker confirmed it does the checkpoint move past it. So a crash
/// anywhere re-reads at most one page, and an interrupted initial sync resumes at its last cursor.
/// </summary>
public sealed class PageWalker(CheckpointStore checkpoints, ObservationSender queue, IngestMetrics metrics, TimeProvider clock, ILogger<PageWalker> logger)
{
    /// <summary>A checkpointed walk (initial sync, then deltas). Returns the number of records sent.</summary>
    public async Task<long> WalkAsync(SourceConnection connection, string resource, string scope, PageReader read, LeaderLease lease, CancellationToken cancellationToken)
    {
        var checkpoint = await checkpoints.LoadAsync(connection.Name, scope, cancellationToken);
        var (since, cursor, walkMax) = checkpoint.NextWalk(connection.LookBack);
        var initial = !checkpoint.InitialDone;
        long records = 0;
        var pages = 0;
        if (!await lease.IsHeldAsync(cancellationToken))
            throw new LeadershipLostException(connection.Name, scope);

        // The next page is fetched while this one is sent and confirmed: the checkpoint still moves page by page
        // after each confirm, and a walk that stops (budget, leadership, crash) has at most that one page read ahead.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var next = read(since, cursor, stop.Token);
        try
        {
            while (true)
            {
                var page = await next;
                if (page.HasMore)
                {
                    if (!await lease.IsHeldAsync(cancellationToken))
                        throw new LeadershipLostException(connection.Name, scope);
                    next = read(since, page.NextCursor, stop.Token);
                }

                await SendAsync(connection, resource, scope, page, "poll", cancellationToken);
                records += page.Records.Count;
                pages++;
                walkMax = SourceTimestamps.Max(walkMax, page.Newest);
                if (page.HasMore)
                {
                    await checkpoints.SaveProgressAsync(connection.Name, scope, since, page.NextCursor!, walkMax, cancellationToken);
                    continue;
                }

                await checkpoints.SaveCompletedAsync(connection.Name, scope, walkMax, cancellationToken);
                if (walkMax is { } watermark)
                    metrics.Watermark(connection.Name, scope, watermark);
                if (initial || records > 0)
                    logger.LogInformation("{Kind} of {Connection}/{Scope} done: {Pages} pages, {Records} records", initial ? "Initial sync" : "Delta", connection.Name, scope, pages, records);
                return records;
            }
        }
        finally
        {
            // A read-ahead abandoned by an error: stop it and observe its outcome.
            await stop.CancelAsync();
            await next.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>An uncheckpointed pass over everything (reconciliation); every record seen is handed to <paramref name="seen"/>.</summary>
    public async Task FullPassAsync(SourceConnection connection, string resource, string scope, PageReader read, LeaderLease lease, Action<ObservedRecord> seen, CancellationToken cancellationToken)
    {
        string? cursor = null;
        do
        {
            if (!await lease.IsHeldAsync(cancellationToken))
                throw new LeadershipLostException(connection.Name, scope);
            var page = await read(null, cursor, cancellationToken);
            await SendAsync(connection, resource, scope, page, "reconciliation", cancellationToken);
            foreach (var record in page.Records)
                seen(record);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
    }

    /// <summary>
    /// <c>poll:{connection}:{resource}:{hash}</c>: a page's identity is its content (ids, updatedUtc, etags), not its
    /// cursor — the same cursor re-read after a crash can hold other records.
    /// </summary>
    public static string ObservationId(string connection, string resource, IReadOnlyList<ObservedRecord> records)
    {
        var content = new StringBuilder();
        foreach (var r in records)
        {
            content.Append(r.Id).Append('|')
                .Append(r.UpdatedUtc?.UtcTicks.ToString(CultureInfo.InvariantCulture)).Append('|')
                .Append(r.DeletedUtc?.UtcTicks.ToString(CultureInfo.InvariantCulture)).Append('|')
                .Append(r.ETag).Append('\n');
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content.ToString())));
        return $"poll:{connection}:{resource}:{hash[..32]}";
    }

    private async Task SendAsync(SourceConnection connection, string resource, string scope, SourcePage page, string channel, CancellationToken cancellationToken)
    {
        if (page.Records.Count == 0)
            return;

        using var activity = IngestMetrics.ActivitySource.StartActivity("ingest.send page", ActivityKind.Producer);
        activity?.SetTag("hub.connection", connection.Name);
        activity?.SetTag("hub.scope", scope);
        activity?.SetTag("hub.records", page.Records.Count);
        await queue.SendAsync(new RecordsObserved(
            ObservationId(connection.Name, resource, page.Records),
            connection.Source,
            connection.Name,
            resource,
            channel,
            clock.GetUtcNow(),
            page.Records), cancellationToken);
        metrics.PageSent(connection, resource, page.Records.Count);
    }
}

/// <summary>The leader's session broke mid-walk: stop without touching the checkpoint; whoever leads next resumes.</summary>
public sealed class LeadershipLostException(string connection, string scope)
    : Exception($"Lost leadership of {connection}/{scope}; the walk stops at its checkpoint.");
