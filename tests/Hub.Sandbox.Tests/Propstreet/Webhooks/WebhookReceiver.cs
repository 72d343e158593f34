using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Hub.Sandbox.Tests.Propstreet.Webhooks;

/// <summary>
/// A real HTTP endpoint on 127.0.0.1 (Kestrel, random port) that records every webhook it receives. It answers
/// with the queued status codes first, then 200.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<Received> _received = Channel.CreateUnbounded<Received>();
    private readonly ConcurrentQueue<int> _answers;

    private WebhookReceiver(WebApplication app, IEnumerable<int> answers)
    {
        _app = app;
        _answers = new ConcurrentQueue<int>(answers);
    }

    public Uri Url { get; private set; } = null!;

    public static async Task<WebhookReceiver> StartAsync(params int[] answers)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, answers);
        app.MapPost("/hook", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var status = receiver._answers.TryDequeue(out var s) ? s : 200;
            receiver._received.Writer.TryWrite(new Received(
                request.Headers["webhook-id"].ToString(),
                request.Headers["webhook-timestamp"].ToString(),
                request.Headers["webhook-signature"].ToString(),
                body,
                status));
            return Results.StatusCode(status);
        });
        await app.StartAsync();
        receiver.Url = new Uri(new Uri(app.Urls.First()), "/hook");
        return receiver;
    }

    /// <summary>The next webhook received. The timeout only keeps a broken test from hanging; it asserts nothing.</summary>
    public async Task<Received> NextAsync()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await _received.Reader.ReadAsync(guard.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public sealed record Received(string Id, string Timestamp, string Signature, string Body, int AnsweredWith)
    {
        /// <summary>Verifies per Standard Webhooks, independently of the sandbox's signer.</summary>
        public bool SignedWith(string secret)
        {
            var key = Convert.FromBase64String(secret["whsec_".Length..]);
            var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{Id}.{Timestamp}.{Body}")));
            return Signature.Split(' ').Any(s => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s), Encoding.ASCII.GetBytes(expected)));
        }
    }
}
