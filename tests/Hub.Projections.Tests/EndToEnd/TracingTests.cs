using System.Collections.Concurrent;
using System.Diagnostics;

namespace Hub.Projections.Tests.EndToEnd;

public sealed class TracingTests : EndToEndTest
{
    // Other test classes run hosts in this process at the same time; this test's spans carry its own connection name.
    private const string Connection = "traced";

    [Fact]
    public async Task A_pages_trace_runs_from_its_send_through_the_consumer_into_the_stored_events_and_the_publish_links_back_to_it()
    {
        var spans = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Hub.Ingest" or "Hub.Projections" or "MassTransit",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);
        Hub.StartHost();
        StartIngest(IngestSettings(pageSize: 500, connection: Connection));
        await WaitForStreamsAsync(Contacts);
        await ReceiveEverythingStoredAsync();

        var sends = spans.Where(s => s.OperationName == "ingest.send page" && (string?)s.GetTagItem("hub.connection") == Connection).ToList();
        var traces = sends.Select(s => s.TraceId.ToHexString()).ToHashSet();
        var appends = spans.Where(s => s.OperationName == "append observation" && ((string?)s.GetTagItem("hub.observation.id"))!.StartsWith($"poll:{Connection}:", StringComparison.Ordinal)).ToList();
        Assert.Equal((Contacts + 499) / 500, sends.Count);
        Assert.Equal(sends.Count, traces.Count);

        // Send → consume → append: MassTransit carries the trace over the broker, one trace per page.
        Assert.Equal(traces.Order(), appends.Select(a => a.TraceId.ToHexString()).Distinct().Order());
        Assert.All(appends, a => Assert.Contains(spans, s => s.Source.Name == "MassTransit" && s.TraceId == a.TraceId && s.Kind == ActivityKind.Consumer));

        // The stored events carry their page's trace (correlation id = the append span's traceparent).
        var stored = (await ContactStreamsAsync()).Values.SelectMany(e => e).ToList();
        Assert.All(stored, e => Assert.Contains(ActivityContext.Parse(e.CorrelationId!, null).TraceId.ToHexString(), traces));

        // The publish runs later, in the daemon, for a batch of many pages' events: a trace of its own, linked to each
        // page's trace rather than continuing one of them.
        var publishes = spans.Where(s => s.OperationName == "publish changes" && s.Links.Any(l => traces.Contains(l.Context.TraceId.ToHexString()))).ToList();
        Assert.NotEmpty(publishes);
        Assert.All(publishes, p => Assert.DoesNotContain(p.TraceId.ToHexString(), traces));
        Assert.Equal(traces.Order(), publishes.SelectMany(p => p.Links).Select(l => l.Context.TraceId.ToHexString()).Where(traces.Contains).Distinct().Order());
    }
}
