extern alias api;
extern alias ingest;
extern alias projections;

using Hub.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Hub.Hosts.Tests.Health;

/// <summary>Starts any of the three hub hosts in-process against the given servers.</summary>
internal static class HubHosts
{
    public static readonly TheoryData<string> Names = new() { "Hub.Ingest", "Hub.Projections", "Hub.Api" };

    public static IAsyncDisposable Start(string name, string postgres, out HttpClient client) => name switch
    {
        "Hub.Ingest" => Start(new WebApplicationFactory<ingest::Program>(), postgres, out client),
        "Hub.Projections" => Start(new WebApplicationFactory<projections::Program>(), postgres, out client),
        "Hub.Api" => Start(new WebApplicationFactory<api::Program>(), postgres, out client),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown host"),
    };

    private static WebApplicationFactory<T> Start<T>(WebApplicationFactory<T> factory, string postgres, out HttpClient client)
        where T : class
    {
        var configured = factory.WithWebHostBuilder(host =>
        {
            host.UseSetting("ConnectionStrings:Postgres", postgres);
            host.UseSetting("ConnectionStrings:RabbitMq", TestServers.RabbitMq.ToString());
        });
        client = configured.CreateClient();
        return configured;
    }

    /// <summary>Polls <c>/health/ready</c> until it answers <paramref name="expected"/> or the deadline passes; returns the last status.</summary>
    public static async Task<int> WaitForReadyStatusAsync(HttpClient client, int expected, TimeSpan deadline)
    {
        var until = DateTime.UtcNow + deadline;
        int status;
        do
        {
            using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
            status = (int)response.StatusCode;
            if (status == expected)
                return status;
            await Task.Delay(250);
        }
        while (DateTime.UtcNow < until);
        return status;
    }
}
