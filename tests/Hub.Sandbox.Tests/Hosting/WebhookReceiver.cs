using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Hub.Sandbox.Tests.Hosting;

/// <summary>
/// A real HTTP endpoint on 127.0.0.1 (Kestrel, OS-chosen port) that records every webhook POST and answers with
/// the status the test picks per call — the sandbox delivers over a real socket, as it would to the hub.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<ReceivedWebhook> _received = Channel.CreateUnbounded<ReceivedWebhook>();
    private int _calls;

    private WebhookReceiver(Func<int, int> statusForCall)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.MapPost("/hook", async (HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var status = statusForCall(Interlocked.Increment(ref _calls));
            var headers = context.Request.Headers;
            _received.Writer.TryWrite(new ReceivedWebhook(
                headers["webhook-id"].ToString(),
                headers["webhook-timestamp"].ToString(),
                headers["webhook-signature"].ToString(),
                headers["webhook-attempt"].ToString(),
                buffer.ToArray(),
                status)
            {
                Headers = headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            });
            return Results.StatusCode(status);
        });
    }

    public Uri Url => new(new Uri(_app.Urls.First()), "/hook");

    /// <summary>Answers call n (from 1) with <paramref name="statusForCall"/>(n).</summary>
    public static async Task<WebhookReceiver> StartAsync(Func<int, int> statusForCall)
    {
        var receiver = new WebhookReceiver(statusForCall);
        await receiver._app.StartAsync();
        return receiver;
    }

    /// <summary>Answers with the given status codes in turn, then 200.</summary>
    public static Task<WebhookReceiver> StartAsync(params int[] answers) =>
        StartAsync(call => call <= answers.Length ? answers[call - 1] : StatusCodes.Status200OK);

    /// <summary>The next delivery; the timeout only keeps a broken test from hanging, it asserts nothing.</summary>
    public async Task<ReceivedWebhook> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await _received.Reader.ReadAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>One POST as received: the Standard Webhooks headers (and all others), the raw body and the status it was answered with.</summary>
public sealed record ReceivedWebhook(string Id, string Timestamp, string Signature, string Attempt, byte[] Body, int AnsweredWith)
{
    /// <summary>Every request header, for APIs that sign otherwise (HubSpot's <c>X-HubSpot-Signature-v3</c>).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Verifies a <c>whsec_</c> secret per Standard Webhooks, independently of the sandbox's signer.</summary>
    public bool SignedWith(string secret)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, (byte[])[.. Encoding.UTF8.GetBytes($"{Id}.{Timestamp}."), .. Body]));
        return Signature.Split(' ').Any(s => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s), Encoding.ASCII.GetBytes(expected)));
    }
}
