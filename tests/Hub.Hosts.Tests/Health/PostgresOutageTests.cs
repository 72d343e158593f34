using System.Net;
using System.Net.Sockets;
using Hub.Testing;

namespace Hub.Hosts.Tests.Health;

/// <summary>
/// Stops a PostgreSQL container of the test's own (never the shared one other tests use) under a running host.
/// </summary>
public sealed class PostgresOutageTests
{
    [Fact]
    public async Task Ready_answers_503_while_PostgreSQL_is_stopped_and_200_once_it_is_back()
    {
        // A fixed host port: a restarted container must come back where the host's connection string points.
        await using var postgres = TestContainers.PostgresBuilder().WithPortBinding(FreePort(), 5432).Build();
        await postgres.StartAsync();
        await using var app = HubHosts.Start("Hub.Api", postgres.GetConnectionString(), out var client);
        var before = await HubHosts.WaitForReadyStatusAsync(client, 200, TimeSpan.FromSeconds(60));

        await postgres.StopAsync();
        var during = await HubHosts.WaitForReadyStatusAsync(client, 503, TimeSpan.FromSeconds(30));

        await postgres.StartAsync();
        var after = await HubHosts.WaitForReadyStatusAsync(client, 200, TimeSpan.FromSeconds(60));

        Assert.Equal((200, 503, 200), (before, during, after));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
