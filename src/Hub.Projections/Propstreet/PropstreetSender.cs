using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Hub.ServiceDefaults.Budget;
using Microsoft.Extensions.Logging;

namespace Hub.Projections.Propstreet;

/// <summary>One request to Propstreet as the writer sends it: method, path (relative to the base URL), the body's exact bytes, conditional headers.</summary>
internal sealed record PropstreetRequest(HttpMethod Method, string PathAndQuery, byte[]? Body = null, string? IfMatch = null, string? IdempotencyKey = null);

/// <summary>
/// Propstreet's final answer to a request: the status, its JSON body (a record or a problem), the ETag and
/// upsert-action headers; <see cref="EarlierAttemptUnanswered"/> when an attempt before it timed out or failed
/// transiently, so the write may have been applied by that attempt (a 412 or 404 may then be the hub's own doing).
/// Status 0: no answer at all (every attempt timed out or lost its connection).
/// </summary>
internal sealed record PropstreetReply(int Status, JsonElement? Body, string? ETag, string? UpsertAction, bool EarlierAttemptUnanswered, string? Failure = null);

/// <summary>
/// Sends one Propstreet request with every rule the connection has: each attempt first takes a request from the
/// token's budget shared with Ingest's polling in every process (waiting for it holds no connection and counts
/// against no timeout), carries the bearer token and gets <see cref="PropstreetConnection.RequestTimeout"/>. A 429
/// pauses the budget for every process for its Retry-After and is sent again; 5xx, 408, timeouts and dropped
/// connections are sent again with full-jitter back-off. Every request the writer makes may be sent again: reads,
/// upserts by external reference, PATCHes, DELETEs (a repeat is a 404 or 412 the writer reads as such), and POSTs,
/// which always carry an Idempotency-Key (the same bytes each attempt, so Propstreet replays the first answer).
/// </summary>
internal sealed class PropstreetSender(HttpClient http, PropstreetConnection connection, RequestBudget budget, TimeProvider clock, ILogger logger)
{
    public PropstreetConnection Connection => connection;

    public async Task<PropstreetReply> SendAsync(PropstreetRequest request, CancellationToken cancellationToken)
    {
        var transientFailures = 0;
        var rateLimits = 0;
        while (true)
        {
            PropstreetReply reply;
            HttpResponseMessage? response;
            await using (await TakeBudgetAsync(cancellationToken))
                (reply, response) = await AttemptAsync(request, transientFailures > 0, cancellationToken);
            using (response)
            {
                var status = reply.Status;
                TimeSpan? delay = null;
                if (status == 429)
                {
                    rateLimits++;
                    var pause = RetryAfter.Delay(response?.Headers.RetryAfter, clock.GetUtcNow());
                    await budget.PauseAsync(connection.BudgetKey, pause, cancellationToken);
                    if (rateLimits < connection.MaxRateLimitedAttempts)
                        delay = pause;
                }
                else if (status is 0 or 408 or >= 500)
                {
                    transientFailures++;
                    if (transientFailures < connection.MaxAttempts)
                        delay = RetryDelays.Next(transientFailures - 1, connection.RetryBaseDelay, Random.Shared.NextDouble(), response, clock.GetUtcNow());
                }

                if (delay is not { } wait)
                    return reply;

                logger.LogInformation("Propstreet {Connection} {Method} {Path}: {Status}; attempt {Attempt} follows in {Delay:0.###} s",
                    connection.Name, request.Method.Method, PathOf(request.PathAndQuery), status == 0 ? reply.Failure : status.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    transientFailures + rateLimits + 1, wait.TotalSeconds);
                await Task.Delay(wait, clock, cancellationToken);
            }
        }
    }

    // Held until the attempt has its answer or has failed (the caller's await using): Propstreet has counted it by then.
    private async Task<RequestGrant> TakeBudgetAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var decision = await budget.TryTakeAsync(connection.BudgetKey, connection.RequestsPerMinute, connection.BudgetWindow, connection.RequestTimeout, cancellationToken);
            if (decision.Grant is { } grant)
                return grant;

            // A little jitter so processes that were refused together do not all ask again at the same instant.
            await Task.Delay(decision.Wait + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 50)), clock, cancellationToken);
        }
    }

    private async Task<(PropstreetReply Reply, HttpResponseMessage? Response)> AttemptAsync(PropstreetRequest request, bool earlierUnanswered, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(request.Method, new Uri(connection.BaseUrl!, request.PathAndQuery));
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", connection.Token);
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (request.IfMatch is { } ifMatch)
            message.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        if (request.IdempotencyKey is { } key)
            message.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        if (request.Body is { } body)
        {
            message.Content = new ByteArrayContent(body);
            message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }

        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(connection.RequestTimeout);
        HttpResponseMessage? response = null;
        try
        {
            response = await http.SendAsync(message, HttpCompletionOption.ResponseContentRead, attempt.Token);
            var json = Json(await response.Content.ReadAsByteArrayAsync(attempt.Token));
            var etag = response.Headers.ETag?.ToString();
            var action = response.Headers.TryGetValues("X-Propstreet-Upsert-Action", out var actions) ? actions.FirstOrDefault() : null;
            return (new PropstreetReply((int)response.StatusCode, json, etag, action, earlierUnanswered), response);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            response?.Dispose();
            return (new PropstreetReply(0, null, null, null, earlierUnanswered, $"no answer within {connection.RequestTimeoutSeconds:0.###} s"), null);
        }
        catch (HttpRequestException e)
        {
            response?.Dispose();
            return (new PropstreetReply(0, null, null, null, earlierUnanswered, $"connection failed ({e.HttpRequestError})"), null);
        }
    }

    // An HTML error page from a proxy is no JSON: the status code speaks for it.
    private static JsonElement? Json(byte[] body)
    {
        try
        {
            return body.Length == 0 ? null : JsonSerializer.Deserialize<JsonElement>(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string PathOf(string pathAndQuery) => pathAndQuery.Split('?', 2)[0];
}
