using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Hub.ServiceDefaults.Telemetry;

/// <summary>
/// Creates the tracer and meter providers at start-up; the container disposes them at shutdown, which flushes
/// what is buffered. (OpenTelemetry.Extensions.Hosting would do this; it is not available to us.)
/// </summary>
internal sealed class TelemetryStarter(TracerProvider tracing, MeterProvider metrics) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        GC.KeepAlive(tracing);
        GC.KeepAlive(metrics);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        tracing.ForceFlush(2000);
        metrics.ForceFlush(2000);
        return Task.CompletedTask;
    }
}
