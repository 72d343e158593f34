using System.Net;
using Hub.Testing;

namespace Hub.Hosts.Tests.Health;

public sealed class ReadinessTests
{
    [Theory]
    [MemberData(nameof(HubHosts.Names), MemberType = typeof(HubHosts))]
    public async Task Host_reports_ready_when_PostgreSQL_and_RabbitMQ_answer(string host)
    {
        await using var app = HubHosts.Start(host, TestServers.Postgres, out var client);

        var ready = await HubHosts.WaitForReadyStatusAsync(client, 200, TimeSpan.FromSeconds(60));
        using var live = await client.GetAsync(new Uri("/health/live", UriKind.Relative));

        Assert.Equal(200, ready);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task Ready_body_names_each_dependency_and_never_its_credentials()
    {
        await using var app = HubHosts.Start("Hub.Api", TestServers.Postgres, out var client);
        await HubHosts.WaitForReadyStatusAsync(client, 200, TimeSpan.FromSeconds(60));

        var body = await client.GetStringAsync(new Uri("/health/ready", UriKind.Relative));

        Assert.Contains("postgres", body, StringComparison.Ordinal);
        Assert.Contains("masstransit", body, StringComparison.OrdinalIgnoreCase);
        var password = new Npgsql.NpgsqlConnectionStringBuilder(TestServers.Postgres).Password;
        Assert.False(string.IsNullOrEmpty(password));
        Assert.DoesNotContain(password!, body, StringComparison.Ordinal);
    }
}
