using Hub.Hosts.Tests.Scripts;

namespace Hub.Hosts.Tests.Health;

/// <summary>
/// Stops a PostgreSQL of the test's own (never the shared one other tests use) under a running host.
/// </summary>
public sealed class PostgresOutageTests
{
    [Fact]
    public async Task Ready_answers_503_while_PostgreSQL_is_stopped_and_200_once_it_is_back()
    {
        await using var infra = new InfraScript();
        var (code, output) = await infra.RunAsync("up", "--services", "postgres");
        Assert.True(code == 0, output);
        await using var app = HubHosts.Start("Hub.Api", infra.Exported("ConnectionStrings__Postgres"), out var client);
        var before = await HubHosts.WaitForReadyStatusAsync(client, 200, TimeSpan.FromSeconds(60));

        (code, output) = await infra.RunAsync("stop-postgres");
        Assert.True(code == 0, output);
        var during = await HubHosts.WaitForReadyStatusAsync(client, 503, TimeSpan.FromSeconds(30));

        (code, output) = await infra.RunAsync("start-postgres");
        Assert.True(code == 0, output);
        var after = await HubHosts.WaitForReadyStatusAsync(client, 200, TimeSpan.FromSeconds(60));

        Assert.Equal((200, 503, 200), (before, during, after));
    }
}
