extern alias api;

using System.Collections.Concurrent;
using System.Net.Http.Headers;
using Hub.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace Hub.Hosts.Tests.Telemetry;

public sealed class RequestLoggingTests
{
    private const string Token = "pat-na1-0f3c9a1e-secret-token";

    [Fact]
    public async Task Request_log_shows_method_path_and_status_but_never_a_query_token_or_the_Authorization_header()
    {
        var log = new LogCollector();
        await using (var factory = StartApi(log))
        {
            using var client = factory.CreateClient();
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/contacts?hapikey={Token}&access_token={Token}", UriKind.Relative));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            using var _ = await client.SendAsync(request);
        }

        Assert.Contains(log.Requests, r => r is ("GET", "/contacts", 401, LogEventLevel.Information));
        Assert.DoesNotContain(Token, log.AsCompactJson(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_probes_stay_out_of_the_request_log_at_Information()
    {
        var log = new LogCollector();
        await using (var factory = StartApi(log))
        {
            using var client = factory.CreateClient();
            using var live = await client.GetAsync(new Uri("/health/live", UriKind.Relative));
            using var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
            using var other = await client.GetAsync(new Uri("/contacts", UriKind.Relative));
        }

        Assert.Contains(log.Requests, r => r is ("GET", "/contacts", 401, LogEventLevel.Information));
        Assert.DoesNotContain(log.Requests, r => r.Path.StartsWith("/health", StringComparison.Ordinal));
    }

    // Hub.Api answers every path but health with 401 to a caller it does not know (ADR 0019), hence 401 not 404.
    // Kestrel rather than the in-memory test server: only a real server hands the raw request target, query
    // string included, to the request log. The hosts read extra sinks from the container (ReadFrom.Services), at
    // the levels they ship with.
    private static WebApplicationFactory<api::Program> StartApi(LogCollector log)
    {
        var factory = new WebApplicationFactory<api::Program>().WithWebHostBuilder(host =>
        {
            host.UseSetting("ConnectionStrings:Postgres", TestServers.Postgres);
            host.UseSetting("ConnectionStrings:RabbitMq", TestServers.RabbitMq.ToString());
            host.ConfigureServices(services => services.AddSingleton<ILogEventSink>(log));
        });
        // An explicit loopback endpoint on a free port: UseKestrel(0) falls back to Kestrel's default :5000.
        factory.UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, 0));
        return factory;
    }

    /// <summary>Keeps every event the host's logger writes.</summary>
    private sealed class LogCollector : ILogEventSink
    {
        private readonly ConcurrentQueue<LogEvent> _events = new();

        public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);

        /// <summary>The request log's events: method, path, status and level.</summary>
        public IEnumerable<(string Method, string Path, int Status, LogEventLevel Level)> Requests =>
            // Only the request log's own events: anything logged during a request carries RequestPath in its scope.
            _events.Where(e => e.Properties.TryGetValue("SourceContext", out var source)
                    && source is ScalarValue { Value: "Serilog.AspNetCore.RequestLoggingMiddleware" })
                .Select(e => (
                (string)((ScalarValue)e.Properties["RequestMethod"]).Value!,
                (string)((ScalarValue)e.Properties["RequestPath"]).Value!,
                (int)((ScalarValue)e.Properties["StatusCode"]).Value!,
                e.Level));

        /// <summary>Everything logged, as stdout would show it.</summary>
        public string AsCompactJson()
        {
            using var output = new StringWriter();
            var formatter = new RenderedCompactJsonFormatter();
            foreach (var logEvent in _events)
                formatter.Format(logEvent, output);
            return output.ToString();
        }
    }
}
