using System.Net;
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
        _app.MapPost("/hooks/pf", async (HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var call = Interlocked.Increment(ref _calls);
            var headers = context.Request.Headers;
            _received.Writer.TryWrite(new ReceivedWebhook(
                headers["webhook-id"].ToString(),
                headers["webhook-timestamp"].ToString(),
                headers["webhook-signature"].ToString(),
                headers["webhook-attempt"].ToString(),
                buffer.ToArray()));
            return Results.StatusCode(statusForCall(call));
        });
    }

    public Uri Url => new(new Uri(_app.Urls.First()), "/hooks/pf");

    public static async Task<WebhookReceiver> StartAsync(Func<int, int>? statusForCall = null)
    {
        var receiver = new WebhookReceiver(statusForCall ?? (_ => StatusCodes.Status200OK));
        await receiver._app.StartAsync();
        return receiver;
    }

    /// <summary>The next delivery; the timeout only keeps a broken test from hanging, it asserts nothing.</summary>
    public async Task<ReceivedWebhook> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await _received.Reader.ReadAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record ReceivedWebhook(string Id, string Timestamp, string Signature, string Attempt, byte[] Body);
