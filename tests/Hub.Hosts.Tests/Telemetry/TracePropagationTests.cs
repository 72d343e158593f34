using System.Collections.Concurrent;
using System.Diagnostics;
using Hub.Hosts.Tests.Health;
using Hub.ServiceDefaults;
using Hub.ServiceDefaults.Messaging;
using Hub.ServiceDefaults.Postgres;
using Hub.Testing;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Hub.Hosts.Tests.Telemetry;

public sealed class TracePropagationTests
{
    [Fact]
    public async Task One_trace_follows_an_HTTP_request_through_MassTransit_into_PostgreSQL()
    {
        var spans = new SpanCollector();
        await using var app = await StartHostAsync(spans);
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        // Until the bus has bound the consumer's queue, a published message would have nowhere to go.
        Assert.Equal(200, await HubHosts.WaitForReadyStatusAsync(client, 200, TimeSpan.FromSeconds(60)));

        var path = $"/contacts/{Guid.NewGuid():N}/touch";
        using var response = await client.PostAsync(new Uri(path, UriKind.Relative), content: null);
        Assert.Equal(StatusCodes.Status202Accepted, (int)response.StatusCode);

        var request = await spans.WaitForAsync(s => s.Kind == ActivityKind.Server && Equals(s.GetTagItem("url.path"), path));
        var query = await spans.WaitForAsync(s => s.TraceId == request.TraceId && s.Source.Name == "Npgsql");
        // Spans reach the collector as they end, the query's enclosing ones after it: wait until its ancestry reaches the request.
        await SpanCollector.WaitUntilAsync(() => spans.Ancestors(query).Any(s => s.SpanId == request.SpanId));

        // Nearest first: the consumer's receive, the publish's send, then the server span of the request.
        var ancestors = spans.Ancestors(query).ToList();
        var receive = ancestors.FindIndex(s => s.Source.Name == "MassTransit" && s.Kind == ActivityKind.Consumer);
        var send = ancestors.FindIndex(s => s.Source.Name == "MassTransit" && s.Kind == ActivityKind.Producer);
        var server = ancestors.FindIndex(s => s.SpanId == request.SpanId);
        Assert.True(receive >= 0 && send > receive && server > send, "the query's ancestors, nearest first: " + string.Join(" <- ", ancestors.Select(s => $"{s.Source.Name}/{s.Kind} '{s.DisplayName}'")));
    }

    private static async Task<WebApplication> StartHostAsync(SpanCollector spans)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ApplicationName = "trace-propagation-test" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration["ConnectionStrings:Postgres"] = TestServers.Postgres;
        builder.Configuration["ConnectionStrings:RabbitMq"] = TestServers.RabbitMq.ToString();
        builder.AddServiceDefaults();
        builder.AddPostgres();
        builder.AddRabbitMq(bus => bus.AddConsumer<ContactTouchedConsumer>().Endpoint(endpoint =>
        {
            endpoint.Name = $"trace-propagation-test-{Guid.NewGuid():N}";
            endpoint.Temporary = true;
        }));
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(spans));

        var app = builder.Build();
        app.MapServiceDefaults();
        app.MapPost("/contacts/{id}/touch", async (string id, IPublishEndpoint bus, CancellationToken cancellationToken) =>
        {
            await bus.Publish(new ContactTouched(id), cancellationToken);
            return Results.Accepted();
        });
        await app.StartAsync();
        return app;
    }

    public sealed record ContactTouched(string ContactId);

    /// <summary>Stands for a handler that appends to the store: one PostgreSQL command per message.</summary>
    public sealed class ContactTouchedConsumer(NpgsqlDataSource dataSource) : IConsumer<ContactTouched>
    {
        public async Task Consume(ConsumeContext<ContactTouched> context)
        {
            await using var command = dataSource.CreateCommand("SELECT $1");
            command.Parameters.Add(new NpgsqlParameter { Value = context.Message.ContactId });
            await command.ExecuteScalarAsync(context.CancellationToken);
        }
    }

    /// <summary>Keeps every span the host's tracer provider ends, as an exporter would receive them.</summary>
    private sealed class SpanCollector : BaseProcessor<Activity>
    {
        private readonly ConcurrentQueue<Activity> _ended = new();

        public override void OnEnd(Activity data) => _ended.Enqueue(data);

        public async Task<Activity> WaitForAsync(Func<Activity, bool> match)
        {
            Activity? span = null;
            await WaitUntilAsync(() => (span = _ended.FirstOrDefault(match)) is not null);
            return span ?? throw new Xunit.Sdk.XunitException("no such span ended within 30 s; spans seen: " +
                string.Join(", ", _ended.Select(s => $"{s.Source.Name}/{s.Kind} '{s.DisplayName}' {s.TraceId}")));
        }

        /// <summary>Polls until the condition holds or 30 s pass; the assertions after it tell what is missing.</summary>
        public static async Task WaitUntilAsync(Func<bool> condition)
        {
            var until = DateTime.UtcNow.AddSeconds(30);
            while (!condition() && DateTime.UtcNow < until)
                await Task.Delay(100);
        }

        /// <summary>The span's parent, its parent's parent and so on, nearest first.</summary>
        public IEnumerable<Activity> Ancestors(Activity span)
        {
            for (var parent = Find(span.TraceId, span.ParentSpanId); parent is not null; parent = Find(parent.TraceId, parent.ParentSpanId))
                yield return parent;
        }

        private Activity? Find(ActivityTraceId trace, ActivitySpanId span) =>
            _ended.FirstOrDefault(s => s.TraceId == trace && s.SpanId == span);
    }
}
