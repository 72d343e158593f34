using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Hub.Contracts.Observations;
using Hub.Ingest.Tests.Hosting;
using Hub.Testing;

namespace Hub.Ingest.Tests.Observations;

public sealed class ObservationSenderTests : IngestTest
{
    [Fact]
    public async Task With_quorum_queues_selected_hub_observations_is_a_quorum_queue_and_pages_still_arrive()
    {
        var all = await SandboxContactIdsAsync();
        var settings = IngestHost.Propstreet(Sandbox.BaseUrl, pageSize: 100, schedule: "01:00:00");
        settings["RabbitMq:QuorumQueues"] = "true";
        StartIngest(settings);

        await Observations.WaitUntilAsync(q => q.Records.Select(r => r.Id).ToHashSet().IsSupersetOf(all));

        using var management = new HttpClient { BaseAddress = TestServers.RabbitMqManagement };
        management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(TestServers.RabbitMq.UserInfo))));
        using var queue = JsonDocument.Parse(await management.GetStringAsync(new Uri($"api/queues/{Uri.EscapeDataString(Broker.Name)}/{ObservationTransport.Queue}", UriKind.Relative)));
        Assert.Equal("quorum", queue.RootElement.GetProperty("type").GetString());
        Assert.True(queue.RootElement.GetProperty("durable").GetBoolean());
    }
}
