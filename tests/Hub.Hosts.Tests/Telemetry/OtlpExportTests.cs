extern alias api;

using System.Collections.Concurrent;
using System.Text;
using Hub.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Hub.Hosts.Tests.Telemetry;

public sealed class OtlpExportTests
{
    [Fact]
    public async Task Host_exports_its_request_traces_to_the_configured_OTLP_endpoint()
    {
        await using var collector = await OtlpCollector.StartAsync();
        await using var factory = new WebApplicationFactory<api::Program>().WithWebHostBuilder(host =>
        {
            host.UseSetting("ConnectionStrings:Postgres", TestServers.Postgres);
            host.UseSetting("ConnectionStrings:RabbitMq", TestServers.RabbitMq.ToString());
            host.UseSetting("OTEL_EXPORTER_OTLP_ENDPOINT", collector.Address);
            host.UseSetting("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
            host.UseSetting("OTEL_SERVICE_NAME", "hub-api-under-test");
        });
        using var client = factory.CreateClient();

        // The batch exporter sends every few seconds; keep the host busy until a trace batch arrives.
        var until = DateTime.UtcNow.AddSeconds(60);
        while (!collector.Received("/v1/traces", "hub-api-under-test") && DateTime.UtcNow < until)
        {
            using var _ = await client.GetAsync(new Uri("/health/live", UriKind.Relative));
            await Task.Delay(500);
        }

        Assert.True(collector.Received("/v1/traces", "hub-api-under-test"), "no trace batch naming the service reached the collector; got: " + collector.Paths);
    }

    /// <summary>A real HTTP listener standing where an OpenTelemetry collector would; it keeps what it is sent.</summary>
    private sealed class OtlpCollector : IAsyncDisposable
    {
        private readonly ConcurrentQueue<(string Path, byte[] Body)> _requests = new();
        private WebApplication? _app;

        public string Address { get; private set; } = "";

        public string Paths => string.Join(", ", _requests.Select(r => r.Path));

        public static async Task<OtlpCollector> StartAsync()
        {
            var collector = new OtlpCollector();
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            app.Run(async context =>
            {
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body);
                collector._requests.Enqueue((context.Request.Path, body.ToArray()));
                context.Response.StatusCode = StatusCodes.Status200OK;
            });
            await app.StartAsync();
            collector._app = app;
            collector.Address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return collector;
        }

        // OTLP protobuf carries strings as raw UTF-8, so the service name is visible in the bytes.
        public bool Received(string path, string text) =>
            _requests.Any(r => r.Path == path && Encoding.UTF8.GetString(r.Body).Contains(text, StringComparison.Ordinal));

        public async ValueTask DisposeAsync()
        {
            if (_app is not null)
                await _app.DisposeAsync();
        }
    }
}
