using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Hub.ServiceDefaults.Budget;
using Microsoft.Extensions.Logging;

namespace Hub.Crm.HubSpot;

/// <summary>HubSpot's answer to a request: a 2xx or 207 with its body, or the typed error it finally came to.</summary>
internal readonly record struct HubSpotReply(HttpStatusCode Status, JsonElement? Body, HubSpotError? Error);

/// <summary>
/// Sends one HubSpot request with every rule the connection has: each attempt first takes a request from the
/// token's burst budget shared by all processes (waiting for it holds no connection and counts against no
/// timeout), carries the bearer token, and gets <see cref="HubSpotConnection.RequestTimeout"/>. A burst 429 pauses
/// the budget for every process and is sent again; a daily 429 stops at once; 5xx, timeouts and dropped
/// connections are retried only when the request is idempotent (<see cref="HubSpotRetry"/>).
/// </summary>
internal sealed class HubSpotSender(HttpClient http, HubSpotConnection connection, RequestBudget budget, HubSpotMetrics metrics, TimeProvider clock, ILogger logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public HubSpotConnection Connection => connection;

    /// <param name="search">A search request: it takes from the token's search budget (per second) as well.</param>
    public async Task<HubSpotReply> SendAsync(HttpMethod method, string pathAndQuery, object? body, bool idempotent, CancellationToken cancellationToken, bool search = false)
    {
        var transientFailures = 0;
        var burstLimits = 0;
        while (true)
        {
            AttemptOutcome outcome;
            HubSpotReply reply;
            var (searchGrant, burstGrant) = await TakeBudgetAsync(search, cancellationToken);
            await using (searchGrant)
            await using (burstGrant)
                (outcome, reply) = await AttemptAsync(method, pathAndQuery, body, idempotent, cancellationToken);

            if (outcome == AttemptOutcome.Transient)
                transientFailures++;
            if (outcome is AttemptOutcome.BurstLimited or AttemptOutcome.SearchLimited)
                burstLimits++;

            if (outcome == AttemptOutcome.Answered
                || HubSpotRetry.Next(outcome, idempotent, transientFailures, burstLimits, connection, Random.Shared.NextDouble()) is not { } delay)
                return reply;

            metrics.Retried(connection);
            logger.LogInformation("HubSpot {Connection} {Method} {Path}: {Outcome} ({Status}); attempt {Attempt} follows in {Delay:0.###} s",
                connection.Name, method.Method, PathOf(pathAndQuery), outcome, (int)reply.Status, transientFailures + burstLimits + 1, delay.TotalSeconds);
            await Task.Delay(delay, clock, cancellationToken);
        }
    }

    /// <summary>
    /// A request from the token's burst budget and, for a search, from its search budget, both held until the attempt
    /// has its answer or has failed (the caller's await using): HubSpot has counted it by then. Both or neither: a
    /// search grant held while the burst budget is waited for could lapse (at its request timeout) before its request
    /// was even sent, so a refused burst gives it back (its slot then counts one more second).
    /// </summary>
    private async Task<(RequestGrant? Search, RequestGrant Burst)> TakeBudgetAsync(bool search, CancellationToken cancellationToken)
    {
        var started = clock.GetTimestamp();
        var waited = false;
        while (true)
        {
            var decision = search
                ? await budget.TryTakeAsync(connection.SearchBudgetKey, connection.SearchLimitPerSecond, TimeSpan.FromSeconds(1), connection.RequestTimeout, cancellationToken)
                : default;
            var searchGrant = decision.Grant;
            if (!search || searchGrant is not null)
            {
                decision = default;
                try
                {
                    decision = await budget.TryTakeAsync(connection.BudgetKey, connection.BurstLimit, connection.BurstWindow, connection.RequestTimeout, cancellationToken);
                }
                finally
                {
                    if (decision.Grant is null && searchGrant is not null)
                        await searchGrant.DisposeAsync();
                }

                if (decision.Grant is { } burstGrant)
                {
                    if (waited)
                        metrics.BudgetWaited(connection, clock.GetElapsedTime(started));
                    return (searchGrant, burstGrant);
                }
            }

            // A little jitter so processes that were refused together do not all ask again at the same instant.
            await Task.Delay(decision.Wait + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 50)), clock, cancellationToken);
            waited = true;
        }
    }

    private async Task<(AttemptOutcome, HubSpotReply)> AttemptAsync(HttpMethod method, string pathAndQuery, object? body, bool idempotent, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(connection.BaseUrl, pathAndQuery));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", connection.AccessToken);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null)
            request.Content = JsonContent.Create(body, options: Json);

        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(connection.RequestTimeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, attempt.Token);
            var json = Parse(await response.Content.ReadAsStringAsync(attempt.Token));
            var policy = HubSpotError.Text(json, "policyName");
            var outcome = HubSpotRetry.Classify(response.StatusCode, policy);
            metrics.Attempted(connection, outcome);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
                metrics.RateLimited(connection, policy);
            if (outcome == AttemptOutcome.BurstLimited)
                await budget.PauseAsync(connection.BudgetKey, HubSpotRetry.BurstPause(response.Headers, connection.BurstWindow, clock.GetUtcNow()), cancellationToken);

            var error = response.IsSuccessStatusCode ? null
                : outcome == AttemptOutcome.Transient ? HubSpotError.Unavailable(HubSpotError.FromResponse(response.StatusCode, json).Message, (int)response.StatusCode, idempotent)
                : HubSpotError.FromResponse(response.StatusCode, json);
            return (outcome, new HubSpotReply(response.StatusCode, json, error));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            metrics.Attempted(connection, AttemptOutcome.Transient);
            return (AttemptOutcome.Transient, new HubSpotReply(HttpStatusCode.RequestTimeout, null, HubSpotError.Timeout(connection.RequestTimeout, idempotent)));
        }
        catch (HttpRequestException e)
        {
            metrics.Attempted(connection, AttemptOutcome.Transient);
            return (AttemptOutcome.Transient, new HubSpotReply(0, null, HubSpotError.Unreachable(e.HttpRequestError.ToString(), idempotent)));
        }
    }

    private static JsonElement? Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;   // an HTML error page from a proxy: the status code speaks for it
        }
    }

    private static string PathOf(string pathAndQuery) => pathAndQuery.Split('?', 2)[0];
}
