using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Hub.Projections.Tests;

/// <summary>
/// The <c>Hub.Projections</c> counters of one connection, summed while it lives (other test classes run hosts in this
/// process at the same time, so a test gives its pages a connection of its own). Keyed by instrument name, and by
/// <c>name/value</c> for each <c>kind</c> and <c>path</c> tag.
/// </summary>
internal sealed class ProjectionsCounts : IDisposable
{
    private readonly ConcurrentDictionary<string, long> _totals = new(StringComparer.Ordinal);
    private readonly MeterListener _listener;

    public ProjectionsCounts(string connection)
    {
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == ProjectionsTelemetry.Name)
                    l.EnableMeasurementEvents(instrument);
            },
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var keys = new List<string> { instrument.Name };
            var ours = false;
            foreach (var tag in tags)
            {
                if (tag.Key == "connection")
                    ours = tag.Value as string == connection;
                else if (tag.Key is "kind" or "path")
                    keys.Add($"{instrument.Name}/{tag.Value}");
            }

            if (ours)
                foreach (var key in keys)
                    _totals.AddOrUpdate(key, value, (_, sum) => sum + value);
        });
        _listener.Start();
    }

    public long this[string key] => _totals.GetValueOrDefault(key);

    public void Dispose() => _listener.Dispose();
}
