using System.Net;
using Hub.Ingest.Connections;
using Hub.Ingest.Polling;
using Hub.ServiceDefaults.Budget;

namespace Hub.Ingest.Budget;

/// <summary>
/// Every attempt the HTTP pipeline makes — retries included, since this handler sits inside the resilience
/// handler — takes one request from the connection's shared budget first; a 429 pauses the budget for its
/// Retry-After, for every process. Requests must carry their connection in <see cref="ConnectionOption"/>.
/// </summary>
public sealed class BudgetHandler(RequestBudget budget, IngestMetrics metrics, TimeProvider clock) : DelegatingHandler
{
    public static readonly HttpRequestOptionsKey<SourceConnection> ConnectionOption = new("hub.ingest.connection");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.Options.TryGetValue(ConnectionOption, out var connection))
            throw new InvalidOperationException($"Request to {request.RequestUri?.AbsolutePath} carries no connection; every source request is budgeted.");

        var decision = await budget.TryTakeAsync(connection.BudgetKey, connection.RequestsPerMinute, connection.BudgetWindow, PollingSetup.AttemptTimeout, cancellationToken);
        if (decision.Grant is not { } grant)
        {
            metrics.BudgetExhausted(connection.BudgetKey);
            throw new BudgetExhaustedException(decision.Wait);
        }

        // Held until the answer's headers are in (or the attempt failed): the source has counted the request by then.
        await using (grant)
        {
            metrics.Request(connection);
            var response = await base.SendAsync(request, cancellationToken);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                metrics.RateLimited(connection);
                await budget.PauseAsync(connection.BudgetKey, RetryAfter.Delay(response.Headers.RetryAfter, clock.GetUtcNow()), cancellationToken);
            }

            return response;
        }
    }
}
