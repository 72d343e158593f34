extern alias api;

using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

namespace Hub.Api.Tests.Access;

public sealed class ApiAccessConfigurationTests(ApiHost api) : IClassFixture<ApiHost>
{
    [Fact]
    public async Task With_no_callers_configured_every_request_but_health_is_refused()
    {
        await using var bare = new WebApplicationFactory<api::Program>().WithWebHostBuilder(host =>
        {
            host.UseSetting("ConnectionStrings:Postgres", api.Database.ConnectionString);
            host.UseSetting("ConnectionStrings:RabbitMq", api.Broker.Amqp.ToString());
        });
        using var client = bare.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", api.OperateToken);

        using var status = await client.GetAsync(new Uri("/api/status", UriKind.Relative));
        using var live = await client.GetAsync(new Uri("/health/live", UriKind.Relative));

        await Problems.AssertProblemAsync(status, HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Theory]
    [InlineData("Token", "too-short-to-be-a-token")]
    [InlineData("Role", "admin")]
    public void A_bad_operator_token_stops_the_host_naming_the_key_but_not_the_value(string key, string value)
    {
        const string Token = "a-long-enough-operator-token-that-must-stay-secret";
        using var broken = new WebApplicationFactory<api::Program>().WithWebHostBuilder(host =>
        {
            host.UseSetting("ConnectionStrings:Postgres", api.Database.ConnectionString);
            host.UseSetting("ConnectionStrings:RabbitMq", api.Broker.Amqp.ToString());
            host.UseSetting("Api:Tokens:0:Token", Token);
            host.UseSetting("Api:Tokens:0:Role", "read");
            host.UseSetting($"Api:Tokens:0:{key}", value);
        });

        var error = Assert.Throws<InvalidOperationException>(() => broken.Server);

        Assert.Contains($"Api:Tokens:0:{key}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("too-short-to-be-a-token", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void JWT_settings_that_could_never_validate_a_token_stop_the_host()
    {
        // Keys but no issuer to trust: every JWT would fail, so say so at start rather than with 401s later.
        using var broken = new WebApplicationFactory<api::Program>().WithWebHostBuilder(host =>
        {
            host.UseSetting("ConnectionStrings:Postgres", api.Database.ConnectionString);
            host.UseSetting("ConnectionStrings:RabbitMq", api.Broker.Amqp.ToString());
            host.UseSetting("Api:Jwt:Audience", ApiHost.Audience);
            host.UseSetting("Api:Jwt:SigningKeys:0", Convert.ToBase64String(api.SigningKey));
        });

        var error = Assert.Throws<InvalidOperationException>(() => broken.Server);

        Assert.Contains("Api:Jwt:Issuer", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(api.SigningKey), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_token_reaches_the_log_even_at_Debug()
    {
        var wrongJwt = api.Jwt(["operate"], expiresIn: TimeSpan.FromMinutes(-5));
        var goodJwt = api.Jwt(["operate"]);
        var unknown = "an-unknown-operator-token-of-enough-length-0001";
        var log = new LogText();
        await using (var host = api.Factory.WithWebHostBuilder(builder =>
        {
            builder.UseSetting("Serilog:MinimumLevel:Default", "Debug");
            builder.UseSetting("Serilog:MinimumLevel:Override:Microsoft.AspNetCore", "Debug");
            builder.ConfigureServices(services => services.AddSingleton<ILogEventSink>(log));
        }))
        {
            foreach (var token in new[] { api.ReadToken, api.OperateToken, unknown, wrongJwt, goodJwt })
            {
                using var client = host.CreateClient();
                client.DefaultRequestHeaders.Authorization = new("Bearer", token);
                using var status = await client.GetAsync(new Uri("/api/status", UriKind.Relative));
                using var replay = await client.PostAsync(new Uri("/api/queues/hub-nothing/errors/replay", UriKind.Relative), null);
            }
        }

        var written = log.ToString();
        Assert.Contains("Failed to validate the token", written, StringComparison.Ordinal); // the log saw the refusals
        foreach (var secret in new[] { api.ReadToken, api.OperateToken, unknown, Convert.ToBase64String(api.SigningKey) })
            Assert.DoesNotContain(secret, written, StringComparison.Ordinal);
        // A JWT's signature is the part that must never leak; its header and claims are not secret.
        Assert.DoesNotContain(wrongJwt.Split('.')[2], written, StringComparison.Ordinal);
        Assert.DoesNotContain(goodJwt.Split('.')[2], written, StringComparison.Ordinal);
    }

    /// <summary>Every event's message, properties and exception as text: wherever a token could hide.</summary>
    private sealed class LogText : ILogEventSink
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public void Emit(LogEvent logEvent) =>
            _lines.Enqueue($"{logEvent.RenderMessage(CultureInfo.InvariantCulture)} {string.Join(' ', logEvent.Properties.Values)} {logEvent.Exception}");

        public override string ToString() => string.Join('\n', _lines);
    }
}
